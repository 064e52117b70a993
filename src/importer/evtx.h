/* SPDX-License-Identifier: MIT */
#pragma once

/* Binary Windows event logs (.evtx, Vista and later), read by evdiag's own code from the format's
 * documentation (libyal's "Windows XML Event Log (EVTX) format", [MS-EVEN6] BinXml).
 *
 * The file is read once, front to back, 64 KiB at a time: memory stays flat whatever its size.
 * Chunks are decoded on a pool of threads and their records delivered in file order on the
 * calling thread. Every chunk slot is walked, whatever the file header says; damaged records
 * are skipped with a warning and the walk resynchronises on the next record; intact records in
 * the slack space after a chunk's last record, or past a damaged one, are recovered
 * (Event.recovered) unless a record with the same id was read before. */

#include <stddef.h>
#include <stdint.h>

#include "importer/sink.h"

typedef struct Diag Diag;
typedef struct InStream InStream;

/* Reads in and hands every record to sink->event as an Event (offset = the record's byte offset
 * in the file, line = 0, record_id from <EventRecordID>, time from TimeCreated, keywords as
 * "0x%016llx"), using one thread per core. EventData / UserData values read as libevtx's
 * evtxexport writes them: hex numbers padded to their width ("0x00000000000003e7"), pointer
 * sizes in decimal, GUIDs in upper case, FILETIMEs with nine fraction digits, SYSTEMTIMEs with
 * three, SIDs as "S-1-5-18", binary as upper-case hex; negative numbers and bad UTF-16 are
 * written correctly where libevtx does not (see the differential test).
 * Returns 0 (a damaged part is a warning in diag, with its byte offset); a negative errno from
 * the sink or from reading (-EIO, -ENOMEM) stops it; -EBADMSG, with one error in diag, for a
 * file that is not .evtx at all (a legacy .evt included), or one too truncated to hold a
 * single record. */
int evtx_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag);

/* The same with threads threads decoding chunks (0: one per core, less the one the calling
 * thread needs for the sink; 1: everything on the calling thread). The sink is always called
 * on the calling thread, in file order. */
int evtx_parse_threads(InStream *in, const ParseOptions *opts, unsigned threads, const ImportSink *sink,
                       Diag *diag);

typedef enum EvtxDumpFormat {
        /* Each record as the XML Windows renders for it (Event Viewer's XML view, wevtutil),
         * indented, one <Event> after another without a root element; hex numbers without
         * padding as Windows writes them. A record recovered from slack space is preceded by an
         * XML comment that says so. */
        EVTX_DUMP_XML,
        /* One flat JSON object per record and line, with always the same top-level names:
         * record_id, time, event_id, qualifiers, version, level, task, opcode, keywords,
         * provider, provider_guid, channel, computer, user, process_id, thread_id, activity_id,
         * recovered, binary (hex, or null), and data: an object of the EventData / UserData
         * values keyed by Data name (the 1-based position for an unnamed Data; a name met again
         * gathers its values in an array). Values as evtx_parse() hands them to the store. */
        EVTX_DUMP_JSONL,
} EvtxDumpFormat;

/* Receives the output of evtx_dump(), in order. Returns >= 0 to go on or a negative errno to
 * stop (which evtx_dump() then returns). */
typedef int (*EvtxWriteFn)(void *userdata, const char *data, size_t size);

/* Renders every record of in as fmt through write, with threads threads decoding chunks (0: one
 * per core; 1: everything on the calling thread); write is called on the calling thread, in
 * file order. Same returns and warnings as evtx_parse(), plus what write returned. */
int evtx_dump(InStream *in, EvtxDumpFormat fmt, unsigned threads, EvtxWriteFn write, void *userdata, Diag *diag);
