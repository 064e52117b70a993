/* SPDX-License-Identifier: MIT */
/* One chunk of an .evtx file: its header and checksums, the walk over its records, and the
 * search of its slack space for records left there.
 *
 * Chunk header (512 bytes, little-endian):
 *   0   8  "ElfChnk\0"
 *   8   8  first record number          16  8  last record number
 *   24  8  first record id              32  8  last record id
 *   40  4  header size (128)            44  4  offset of the last record
 *   48  4  free space offset            52  4  CRC-32 of the records (512 up to free space)
 *   120 4  flags                        124 4  CRC-32 of bytes 0-119 and 128-511
 *   128 256 common string offsets       384 128 template offsets
 * Record: "**\0\0", size (u32), id (u64), written time (FILETIME), BinXML, size again (u32).
 *
 * A checksum that does not match is a warning and the walk goes on while the structure holds:
 * each record is checked on its own (magic, size and its copy, then its BinXML). A record that
 * fails is skipped with a warning and the walk resynchronises on the next record magic. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/bytes.h"
#include "base/crc32.h"
#include "evtx-internal.h"

static const uint8_t chunk_magic[8] = { 'E', 'l', 'f', 'C', 'h', 'n', 'k', 0 };
static const uint8_t record_magic[4] = { 0x2A, 0x2A, 0x00, 0x00 };

static bool all_zero(const uint8_t *p, size_t n) {
        /* Word at a time: most chunk slots that are empty are 64 KiB of zeros. */
        while (n >= 8) {
                if (le64(p) != 0)
                        return false;
                p += 8;
                n -= 8;
        }
        while (n-- > 0)
                if (*p++ != 0)
                        return false;
        return true;
}

/* Offset of the next record magic in [from, to), or to. */
static uint32_t find_magic(const EvtxChunk *c, uint32_t from, uint32_t to) {
        const uint8_t *p;

        if (from >= to || to - from < sizeof(record_magic))
                return to;
        p = memmem(c->data + from, to - from, record_magic, sizeof(record_magic));
        return p ? (uint32_t) (p - c->data) : to;
}

/* Whether a record starts at off and fits before end: magic, a sane size, the same size at its
 * end. Sets *ret_size. */
static bool record_frame_ok(const EvtxChunk *c, uint32_t off, uint32_t end, uint32_t *ret_size) {
        uint32_t size;

        if (off >= end || end - off < EVTX_RECORD_MIN_SIZE || memcmp(c->data + off, record_magic, 4) != 0)
                return false;
        size = le32(c->data + off + 4);
        if (size < EVTX_RECORD_MIN_SIZE || size > EVDIAG_MAX_EVTX_RECORD_SIZE || size > end - off)
                return false;
        if (le32(c->data + off + size - 4) != size)
                return false;
        *ret_size = size;
        return true;
}

void evtx_batch_reset(EvtxBatch *b) {
        b->n_records = b->n_fields = b->n_notes = 0;
        b->notes_dropped = 0;
        evtx_buf_reset(&b->strings);
        evtx_buf_reset(&b->text);
        strbuf_reset(&b->note_text);
        b->empty = b->bad = false;
        b->recovered = 0;
        b->error = 0;
}

void evtx_batch_done(EvtxBatch *b) {
        free(b->records);
        free(b->fields);
        free(b->notes);
        evtx_buf_done(&b->strings);
        evtx_buf_done(&b->text);
        strbuf_done(&b->note_text);
        *b = (EvtxBatch) {};
}

void evtx_batch_note(EvtxBatch *b, uint64_t offset, const char *fmt, ...) {
        size_t start = b->note_text.len;
        va_list ap;
        int r;

        if (b->n_notes >= EVDIAG_MAX_EVTX_CHUNK_WARNINGS || ARRAY_GROW(b->notes, b->a_notes, b->n_notes + 1) < 0) {
                b->notes_dropped++;
                return;
        }
        va_start(ap, fmt);
        r = strbuf_vprintf(&b->note_text, fmt, ap);
        va_end(ap);
        if (r < 0 || strbuf_append(&b->note_text, "", 1) < 0) {
                b->notes_dropped++;
                return;
        }
        b->notes[b->n_notes++] = (EvtxNote) { .offset = offset, .message = (uint32_t) start };
}

/* Decodes the record at off, whose BinXML is n bytes long; a failure is a warning unless quiet
 * (a guess in slack space). Returns 0, 1 when the record could not be decoded, or -ENOMEM. */
static int record_take(EvtxWorker *w, const EvtxChunk *c, uint32_t off, uint32_t n, bool recovered, EvtxBatch *b,
                       bool quiet) {
        EvtxErr err = {};
        int r;

        r = evtx_record_emit(w, c, off, n, recovered, b, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && !quiet)
                evtx_batch_note(b, c->file_offset + off, "chunk %llu: record %llu skipped: %s",
                                (unsigned long long) c->index, (unsigned long long) le64(c->data + off + 8),
                                err.set ? err.msg : "cannot be decoded");
        return r < 0 ? 1 : 0;
}

/* Searches [from, to) for intact records that nobody points to any more. Returns 0 or -ENOMEM. */
static int scan_slack(EvtxWorker *w, const EvtxChunk *c, uint32_t from, uint32_t to, EvtxBatch *b) {
        uint32_t pos = from;

        while ((pos = find_magic(c, pos, to)) < to) {
                uint32_t size;
                int r;

                if (!record_frame_ok(c, pos, to, &size)) {
                        pos++;
                        continue;
                }
                r = record_take(w, c, pos, size - EVTX_RECORD_MIN_SIZE, true, b, true);
                if (r < 0)
                        return r;
                if (r == 0) {
                        b->recovered++;
                        pos += size;
                } else
                        pos++;
        }
        return 0;
}

int evtx_chunk_process(EvtxWorker *w, const EvtxChunk *c, EvtxBatch *b) {
        const uint8_t *d = c->data;
        uint32_t free_off, off;
        bool check = w->cfg.check_crc, broken = false;
        int r;

        evtx_batch_reset(b);
        evtx_templates_begin_chunk(w);

        if (all_zero(d, c->size)) {
                b->empty = true;
                return 0;
        }
        if (c->size < EVTX_CHUNK_HEADER_SIZE || memcmp(d, chunk_magic, sizeof(chunk_magic)) != 0) {
                uint64_t before;

                /* A slot without a chunk: its bytes may still hold whole records. */
                b->bad = true;
                before = b->recovered;
                r = scan_slack(w, c, 0, c->size, b);
                if (r < 0)
                        goto fail;
                evtx_batch_note(b, c->file_offset, "chunk %llu: no chunk signature; %llu records recovered from its bytes",
                                (unsigned long long) c->index, (unsigned long long) (b->recovered - before));
                goto done;
        }

        if (check) {
                uint32_t crc = crc32_update(crc32_update(0, d, 120), d + 128, EVTX_CHUNK_HEADER_SIZE - 128);

                if (crc != le32(d + 124))
                        evtx_batch_note(b, c->file_offset, "chunk %llu: header checksum mismatch (0x%08x, computed 0x%08x)",
                                        (unsigned long long) c->index, le32(d + 124), crc);
        }
        free_off = le32(d + 48);
        if (free_off > c->size) {
                if (c->size == EVTX_CHUNK_SIZE)
                        evtx_batch_note(b, c->file_offset, "chunk %llu: free space offset 0x%x lies past the chunk",
                                        (unsigned long long) c->index, free_off);
                free_off = c->size;
        } else if (free_off < EVTX_CHUNK_HEADER_SIZE) {
                evtx_batch_note(b, c->file_offset, "chunk %llu: free space offset 0x%x lies inside the chunk header",
                                (unsigned long long) c->index, free_off);
                free_off = EVTX_CHUNK_HEADER_SIZE;
        }
        if (check && c->size == EVTX_CHUNK_SIZE) {
                uint32_t crc = crc32_update(0, d + EVTX_CHUNK_HEADER_SIZE, free_off - EVTX_CHUNK_HEADER_SIZE);

                if (crc != le32(d + 52))
                        evtx_batch_note(b, c->file_offset, "chunk %llu: records checksum mismatch (0x%08x, computed 0x%08x)",
                                        (unsigned long long) c->index, le32(d + 52), crc);
        }

        /* The records the header accounts for. Once the chain of records breaks, what is found
         * further on was not reached by it: flagged recovered, as libevtx counts it too. */
        off = EVTX_CHUNK_HEADER_SIZE;
        while (off < free_off && free_off - off >= EVTX_RECORD_HEADER_SIZE) {
                uint32_t size, next;

                if (record_frame_ok(c, off, c->size, &size)) {
                        r = record_take(w, c, off, size - EVTX_RECORD_MIN_SIZE, broken, b, false);
                        if (r < 0)
                                goto fail;
                        if (r == 0 && broken)
                                b->recovered++;
                        off += size;
                        continue;
                }
                /* Zeros up to the free space offset: the header counted more than was written. */
                if (all_zero(d + off, free_off - off)) {
                        off = free_off;
                        break;
                }
                next = find_magic(c, off + 1, free_off);
                /* A record whose size fields are damaged (a size of 0 is seen) may still hold
                 * intact BinXML up to the next record: read it from there, as recovered. */
                if (memcmp(d + off, record_magic, sizeof(record_magic)) == 0 && next - off > EVTX_RECORD_MIN_SIZE) {
                        r = record_take(w, c, off, next - off - EVTX_RECORD_HEADER_SIZE, true, b, true);
                        if (r < 0)
                                goto fail;
                        if (r == 0) {
                                b->recovered++;
                                evtx_batch_note(b, c->file_offset + off,
                                                "chunk %llu: record %llu has a damaged size (%u): read up to the next "
                                                "record and flagged recovered",
                                                (unsigned long long) c->index, (unsigned long long) le64(d + off + 8),
                                                le32(d + off + 4));
                                off = next;
                                broken = true;
                                continue;
                        }
                }
                evtx_batch_note(b, c->file_offset + off,
                                "chunk %llu: no intact record at chunk offset 0x%x; %u bytes skipped to %s",
                                (unsigned long long) c->index, off, next - off,
                                next < free_off ? "the next record" : "the free space");
                off = next;
                broken = true;
        }

        /* Slack: what lies after the last record, up to the end of the chunk. */
        if (off < free_off)
                off = free_off;
        r = scan_slack(w, c, off, c->size, b);
        if (r < 0)
                goto fail;
done:
        if (b->strings.error == -ENOMEM || b->text.error == -ENOMEM)
                goto fail_nomem;
        return 0;
fail_nomem:
        r = -ENOMEM;
fail:
        b->error = r;
        return r;
}
