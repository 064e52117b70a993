/* SPDX-License-Identifier: MIT */
/* The .evtx reader's entry points: the file header, the walk over every chunk slot to the end
 * of the file, a pool of threads that decode chunks, and delivery of their records in file
 * order on the calling thread.
 *
 * File header (4096 bytes, little-endian; only the first 128 are used):
 *   0  8 "ElfFile\0"      8  8 first chunk number    16 8 last chunk number
 *   24 8 next record id   32 4 header size (128)     36 2 minor version   38 2 major version
 *   40 2 chunk data offset (4096)   42 2 number of chunks   120 4 flags   124 4 CRC-32 of 0-119
 *
 * The chunk count is a 16-bit number that dirty files get wrong; it is only compared with what
 * is found. Reading is sequential, one chunk at a time, into a ring of slots: the calling thread
 * reads chunk k into a free slot, workers decode slots in any order, and the calling thread
 * hands slot k's records over once every slot before it has been handed over. At most a ring
 * of chunks is in memory whatever the size of the file. */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/bytes.h"
#include "base/crc32.h"
#include "base/diag.h"
#include "base/stream.h"
#include "evtx-internal.h"

static const uint8_t file_magic[8] = { 'E', 'l', 'f', 'F', 'i', 'l', 'e', 0 };

/* --- Record ids already read, to drop recovered copies ---------------------------------- */

/* Ids arrive mostly in increasing runs: they are kept as sorted runs [lo, hi]; an id that does
 * not extend the last run waits in a small unsorted list, merged in when it fills up. Only
 * recovered records are looked up. */
#define IDSET_PENDING 4096

typedef struct IdRun {
        uint64_t lo, hi;
} IdRun;

typedef struct IdSet {
        IdRun *runs;
        size_t n_runs, a_runs;
        uint64_t pending[IDSET_PENDING];
        size_t n_pending;
        bool full;                      /* the cap was hit: later ids are not remembered */
} IdSet;

static int cmp_u64(const void *a, const void *b) {
        uint64_t x = *(const uint64_t *) a, y = *(const uint64_t *) b;

        return x < y ? -1 : x > y;
}

static int idset_merge(IdSet *s) {
        IdRun *merged = NULL;
        size_t n = 0, i = 0, j = 0, cap = s->n_runs + s->n_pending;

        if (s->n_pending == 0)
                return 0;
        qsort(s->pending, s->n_pending, sizeof(uint64_t), cmp_u64);
        merged = malloc(cap * sizeof(IdRun));
        if (!merged)
                return -ENOMEM;
        while (i < s->n_runs || j < s->n_pending) {
                IdRun r;

                if (j >= s->n_pending || (i < s->n_runs && s->runs[i].lo <= s->pending[j]))
                        r = s->runs[i++];
                else {
                        r = (IdRun) { s->pending[j], s->pending[j] };
                        j++;
                }
                if (n > 0 && (merged[n - 1].hi == UINT64_MAX || r.lo <= merged[n - 1].hi + 1)) {
                        if (r.hi > merged[n - 1].hi)
                                merged[n - 1].hi = r.hi;
                } else
                        merged[n++] = r;
        }
        free(s->runs);
        s->runs = merged;
        s->n_runs = n;
        s->a_runs = cap;
        s->n_pending = 0;
        if (s->n_runs >= EVDIAG_MAX_EVTX_ID_RANGES)
                s->full = true;
        return 0;
}

static int idset_add(IdSet *s, uint64_t id) {
        if (s->n_runs > 0) {
                IdRun *last = &s->runs[s->n_runs - 1];

                if (id >= last->lo && id <= last->hi)
                        return 0;
                if (last->hi != UINT64_MAX && id == last->hi + 1) {
                        last->hi = id;
                        return 0;
                }
        } else if (s->n_pending == 0) {
                if (ARRAY_GROW(s->runs, s->a_runs, 1) < 0)
                        return -ENOMEM;
                s->runs[s->n_runs++] = (IdRun) { id, id };
                return 0;
        }
        if (s->full)
                return 0;
        s->pending[s->n_pending++] = id;
        return s->n_pending == IDSET_PENDING ? idset_merge(s) : 0;
}

static bool idset_contains(const IdSet *s, uint64_t id) {
        size_t lo = 0, hi = s->n_runs;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (s->runs[mid].hi < id)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        if (lo < s->n_runs && s->runs[lo].lo <= id && id <= s->runs[lo].hi)
                return true;
        for (size_t i = 0; i < s->n_pending; i++)
                if (s->pending[i] == id)
                        return true;
        return false;
}

/* --- A run over one file ---------------------------------------------------------------- */

typedef struct Slot {
        uint8_t *buf;
        EvtxChunk chunk;
        EvtxBatch batch;
        bool done;
} Slot;

typedef struct Run {
        EvtxConfig cfg;
        InStream *in;
        Diag *diag;
        const ImportSink *sink;
        EvtxWriteFn write;
        void *userdata;

        IdSet ids;
        EventField *fields;
        size_t a_fields;
        uint64_t records, dropped, recovered, chunks, empty_chunks, bad_chunks;
        bool truncated;

        /* the pool; n_threads == 0 when everything runs on the calling thread */
        Slot *slots;
        unsigned n_slots;
        EvtxWorker **workers;
        unsigned n_workers;
        pthread_t *threads;
        unsigned n_threads, started;
        pthread_mutex_t lock;
        pthread_cond_t work, done;
        uint64_t submitted, taken;
        bool stop;
} Run;

static void *worker_main(void *arg);

typedef struct WorkerArg {
        Run *run;
        EvtxWorker *w;
} WorkerArg;

static int pool_start(Run *run, unsigned n_threads) {
        run->n_slots = n_threads > 0 ? 2 * n_threads + 2 : 1;
        run->slots = calloc(run->n_slots, sizeof(Slot));
        if (!run->slots)
                return -ENOMEM;
        for (unsigned i = 0; i < run->n_slots; i++) {
                run->slots[i].buf = malloc(EVTX_CHUNK_SIZE);
                if (!run->slots[i].buf)
                        return -ENOMEM;
                run->slots[i].batch.strings.limit = 0;
                run->slots[i].batch.text.limit = 0;
        }
        run->workers = calloc(n_threads > 0 ? n_threads : 1, sizeof(EvtxWorker *));
        if (!run->workers)
                return -ENOMEM;
        run->n_workers = n_threads > 0 ? n_threads : 1;
        for (unsigned i = 0; i < run->n_workers; i++) {
                run->workers[i] = evtx_worker_new(&run->cfg);
                if (!run->workers[i])
                        return -ENOMEM;
        }
        if (n_threads == 0)
                return 0;

        run->threads = calloc(n_threads, sizeof(pthread_t));
        if (!run->threads)
                return -ENOMEM;
        if (pthread_mutex_init(&run->lock, NULL) != 0)
                return -ENOMEM;
        if (pthread_cond_init(&run->work, NULL) != 0) {
                pthread_mutex_destroy(&run->lock);
                return -ENOMEM;
        }
        if (pthread_cond_init(&run->done, NULL) != 0) {
                pthread_cond_destroy(&run->work);
                pthread_mutex_destroy(&run->lock);
                return -ENOMEM;
        }
        run->n_threads = n_threads;
        for (unsigned i = 0; i < n_threads; i++) {
                WorkerArg *a = malloc(sizeof(*a));
                int r;

                if (!a)
                        return -ENOMEM;
                *a = (WorkerArg) { run, run->workers[i] };
                r = pthread_create(&run->threads[i], NULL, worker_main, a);
                if (r != 0) {
                        free(a);
                        return -r;
                }
                run->started++;
        }
        return 0;
}

static void pool_stop(Run *run) {
        if (run->n_threads > 0) {
                pthread_mutex_lock(&run->lock);
                run->stop = true;
                pthread_cond_broadcast(&run->work);
                pthread_mutex_unlock(&run->lock);
                for (unsigned i = 0; i < run->started; i++)
                        pthread_join(run->threads[i], NULL);
                pthread_cond_destroy(&run->work);
                pthread_cond_destroy(&run->done);
                pthread_mutex_destroy(&run->lock);
        }
        free(run->threads);
        for (unsigned i = 0; i < run->n_workers; i++)
                evtx_worker_free(run->workers[i]);
        free(run->workers);
        if (run->slots)
                for (unsigned i = 0; i < run->n_slots; i++) {
                        free(run->slots[i].buf);
                        evtx_batch_done(&run->slots[i].batch);
                }
        free(run->slots);
        free(run->ids.runs);
        free(run->fields);
}

static void *worker_main(void *arg) {
        WorkerArg a = *(WorkerArg *) arg;
        Run *run = a.run;

        free(arg);
        pthread_mutex_lock(&run->lock);
        for (;;) {
                Slot *s;

                while (!run->stop && run->taken == run->submitted)
                        pthread_cond_wait(&run->work, &run->lock);
                if (run->stop)
                        break;
                s = &run->slots[run->taken++ % run->n_slots];
                pthread_mutex_unlock(&run->lock);

                (void) evtx_chunk_process(a.w, &s->chunk, &s->batch);

                pthread_mutex_lock(&run->lock);
                s->done = true;
                pthread_cond_broadcast(&run->done);
        }
        pthread_mutex_unlock(&run->lock);
        return NULL;
}

/* --- Delivery --------------------------------------------------------------------------- */

static int deliver_event(Run *run, const EvtxBatch *b, const EvtxRecordOut *rec) {
        const char *s = b->strings.sb.data;
        Event ev;

#define STR(off) ((off) == EVTX_NO_STR ? NULL : s + (off))
        if (ARRAY_GROW(run->fields, run->a_fields, rec->n_fields) < 0)
                return -ENOMEM;
        for (uint32_t i = 0; i < rec->n_fields; i++) {
                const EvtxFieldOut *f = &b->fields[rec->first_field + i];

                run->fields[i] = (EventField) { .name = STR(f->name), .value = STR(f->value) };
        }
        ev = (Event) {
                .host = STR(rec->host),
                .channel = STR(rec->channel),
                .provider = STR(rec->provider),
                .provider_guid = STR(rec->provider_guid),
                .event_id = rec->event_id,
                .qualifiers = rec->qualifiers,
                .version = rec->version,
                .level = rec->level,
                .task = rec->task,
                .opcode = rec->opcode,
                .keywords = STR(rec->keywords),
                .record_id = rec->event_record_id != EVENT_NO_VALUE ? rec->event_record_id
                             : rec->record_id <= INT64_MAX    ? (int64_t) rec->record_id
                                                              : EVENT_NO_VALUE,
                .time = rec->time,
                .time_digits = 7,
                .user = STR(rec->user),
                .message = NULL,
                .fields = rec->n_fields > 0 ? run->fields : NULL,
                .n_fields = rec->n_fields,
                .binary = rec->binary_size > 0 ? (const uint8_t *) s + rec->binary : NULL,
                .binary_size = rec->binary_size,
                .line = 0,
                .offset = rec->offset,
                .recovered = rec->recovered,
        };
#undef STR
        if (!run->sink || !run->sink->event)
                return 0;
        return run->sink->event(run->sink->userdata, &ev);
}

static int deliver(Run *run, Slot *slot) {
        const EvtxBatch *b = &slot->batch;
        size_t span_start = 0, span_len = 0;
        int r;

        if (b->error < 0)
                return b->error;
        run->chunks++;
        if (b->empty)
                run->empty_chunks++;
        if (b->bad)
                run->bad_chunks++;
        for (size_t i = 0; i < b->n_notes; i++)
                diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, b->notes[i].offset, "%s",
                         b->note_text.data + b->notes[i].message);
        if (b->notes_dropped > 0)
                diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, slot->chunk.file_offset,
                         "chunk %llu: %llu more warnings", (unsigned long long) slot->chunk.index,
                         (unsigned long long) b->notes_dropped);

        for (size_t i = 0; i < b->n_records; i++) {
                const EvtxRecordOut *rec = &b->records[i];

                if (rec->recovered && idset_contains(&run->ids, rec->record_id)) {
                        run->dropped++;
                        /* The text so far goes out; this record's does not. */
                        if (span_len > 0 && run->write) {
                                r = run->write(run->userdata, b->text.sb.data + span_start, span_len);
                                if (r < 0)
                                        return r;
                        }
                        span_len = 0;
                        continue;
                }
                r = idset_add(&run->ids, rec->record_id);
                if (r < 0)
                        return r;
                run->records++;
                if (rec->recovered)
                        run->recovered++;
                if (run->cfg.mode == EVTX_MODE_IMPORT) {
                        r = deliver_event(run, b, rec);
                        if (r < 0)
                                return r;
                } else {
                        if (span_len == 0)
                                span_start = rec->text;
                        span_len = rec->text + rec->text_len - span_start;
                }
        }
        if (span_len > 0 && run->write) {
                r = run->write(run->userdata, b->text.sb.data + span_start, span_len);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* --- Reading ---------------------------------------------------------------------------- */

static ssize_t read_full(InStream *in, uint8_t *buf, size_t n) {
        size_t got = 0;

        while (got < n) {
                ssize_t k = instream_read(in, buf + got, n - got);

                if (k < 0)
                        return k;
                if (k == 0)
                        break;
                got += (size_t) k;
        }
        return (ssize_t) got;
}

/* Reads the next chunk slot into s. Returns 1, 0 at the end of the file, or -errno. */
static int read_chunk(Run *run, Slot *s, uint64_t index) {
        ssize_t k = read_full(run->in, s->buf, EVTX_CHUNK_SIZE);

        if (k < 0)
                return (int) k;
        if (k == 0)
                return 0;
        s->chunk = (EvtxChunk) {
                .data = s->buf,
                .size = (uint32_t) k,
                .index = index,
                .file_offset = EVTX_FILE_HEADER_SIZE + index * (uint64_t) EVTX_CHUNK_SIZE,
        };
        if (k < EVTX_CHUNK_SIZE) {
                size_t i = 0;

                /* Zeros after the last chunk are padding, not a cut chunk. */
                while (i < (size_t) k && s->buf[i] == 0)
                        i++;
                if (i == (size_t) k)
                        return 1;
                run->truncated = true;
                diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, s->chunk.file_offset,
                         "the file ends %zd bytes into chunk %llu (truncated): only its complete records are read", k,
                         (unsigned long long) index);
        }
        return 1;
}

static int run_inline(Run *run) {
        Slot *s = &run->slots[0];

        for (uint64_t index = 0;; index++) {
                int r = read_chunk(run, s, index);

                if (r <= 0)
                        return r;
                (void) evtx_chunk_process(run->workers[0], &s->chunk, &s->batch);
                r = deliver(run, s);
                if (r < 0)
                        return r;
                if (s->chunk.size < EVTX_CHUNK_SIZE)
                        return 0;
        }
}

static int wait_and_deliver(Run *run, uint64_t *delivered) {
        Slot *s = &run->slots[*delivered % run->n_slots];

        pthread_mutex_lock(&run->lock);
        while (!s->done)
                pthread_cond_wait(&run->done, &run->lock);
        pthread_mutex_unlock(&run->lock);
        (*delivered)++;
        return deliver(run, s);
}

static int run_pool(Run *run) {
        uint64_t delivered = 0;
        bool end = false;
        int r;

        while (!end) {
                Slot *s;

                if (run->submitted - delivered == run->n_slots) {
                        r = wait_and_deliver(run, &delivered);
                        if (r < 0)
                                return r;
                        continue;
                }
                s = &run->slots[run->submitted % run->n_slots];
                r = read_chunk(run, s, run->submitted);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                end = s->chunk.size < EVTX_CHUNK_SIZE;
                pthread_mutex_lock(&run->lock);
                s->done = false;
                run->submitted++;
                pthread_cond_signal(&run->work);
                pthread_mutex_unlock(&run->lock);

                /* Hand over whatever is ready, in order, without waiting. */
                for (;;) {
                        bool ready;

                        if (delivered == run->submitted)
                                break;
                        pthread_mutex_lock(&run->lock);
                        ready = run->slots[delivered % run->n_slots].done;
                        pthread_mutex_unlock(&run->lock);
                        if (!ready)
                                break;
                        r = wait_and_deliver(run, &delivered);
                        if (r < 0)
                                return r;
                }
        }
        while (delivered < run->submitted) {
                r = wait_and_deliver(run, &delivered);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Reads and checks the file header. Returns 0, or -EBADMSG after one error in diag. */
static int read_header(Run *run, uint16_t *ret_chunks) {
        uint8_t h[EVTX_FILE_HEADER_SIZE];
        ssize_t k = read_full(run->in, h, sizeof(h));
        uint32_t flags;

        if (k < 0)
                return (int) k;
        if (k == 0) {
                diag_add(run->diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET, "empty file, not an .evtx log");
                return -EBADMSG;
        }
        if (k < (ssize_t) sizeof(file_magic) || memcmp(h, file_magic, sizeof(file_magic)) != 0) {
                if (k >= 8 && memcmp(h + 4, "LfLe", 4) == 0)
                        diag_add(run->diag, DIAG_ERROR, DIAG_NO_LINE, 0,
                                 "a legacy Windows event log (.evt, Windows 2003 and older), not .evtx: "
                                 "export it to XML with Event Viewer or wevtutil");
                else
                        diag_add(run->diag, DIAG_ERROR, DIAG_NO_LINE, 0,
                                 "not an .evtx log: no \"ElfFile\" signature");
                return -EBADMSG;
        }
        if (k < (ssize_t) sizeof(h)) {
                diag_add(run->diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET,
                         "truncated .evtx log: the file header needs %zu bytes, the file has %zd", sizeof(h), k);
                return -EBADMSG;
        }
        flags = le32(h + 120);
        run->cfg.check_crc = !(flags & EVTX_FILE_FLAG_NO_CRC32);
        if (run->cfg.check_crc) {
                uint32_t crc = crc32_update(0, h, 120);

                if (crc != le32(h + 124))
                        diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, 0,
                                 "file header checksum mismatch (0x%08x, computed 0x%08x)", le32(h + 124), crc);
        }
        if (le16(h + 38) != 3)
                diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, 0, "format version %u.%u; read as 3.x", le16(h + 38),
                         le16(h + 36));
        *ret_chunks = le16(h + 42);
        return 0;
}

/* How many worker threads decode chunks: 0 to do everything on the calling thread. threads is
 * what the caller asked for (0: choose). When choosing, the import leaves a core to the calling
 * thread, which hands every row to the store and is as busy as a worker; the dump needs little
 * there. Never more workers than chunks. */
static unsigned workers_for(const Run *run, unsigned threads, uint64_t size) {
        uint64_t chunks = size > EVTX_FILE_HEADER_SIZE ? (size - EVTX_FILE_HEADER_SIZE + EVTX_CHUNK_SIZE - 1) / EVTX_CHUNK_SIZE : 0;
        unsigned n;

        if (threads == 1 || chunks <= 1)
                return 0;
        if (threads == 0) {
                long cores = sysconf(_SC_NPROCESSORS_ONLN);

                if (cores <= 1)
                        return 0;
                n = (unsigned) (cores < EVDIAG_MAX_EVTX_THREADS ? cores : EVDIAG_MAX_EVTX_THREADS);
                if (run->cfg.mode == EVTX_MODE_IMPORT)
                        n--;
        } else
                n = threads < EVDIAG_MAX_EVTX_THREADS ? threads : EVDIAG_MAX_EVTX_THREADS;
        return chunks < n ? (unsigned) chunks : n;
}

static int evtx_run(Run *run, unsigned threads) {
        uint16_t header_chunks = 0;
        unsigned n;
        int r;

        r = read_header(run, &header_chunks);
        if (r < 0)
                return r;
        n = workers_for(run, threads, instream_size(run->in));
        r = pool_start(run, n);
        if (r < 0)
                goto finish;
        r = n > 0 ? run_pool(run) : run_inline(run);
        if (r < 0)
                goto finish;

        if (run->chunks == 0 && header_chunks > 0) {
                diag_add(run->diag, DIAG_ERROR, DIAG_NO_LINE, EVTX_FILE_HEADER_SIZE,
                         "truncated .evtx log: the header counts %u chunks, the file ends after the header", header_chunks);
                r = -EBADMSG;
                goto finish;
        }
        if (run->truncated && run->records == 0) {
                diag_add(run->diag, DIAG_ERROR, DIAG_NO_LINE, DIAG_NO_OFFSET,
                         "truncated .evtx log: not one complete record");
                r = -EBADMSG;
                goto finish;
        }
        if (run->chunks < header_chunks && !run->truncated)
                diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, DIAG_NO_OFFSET,
                         "the file header counts %u chunks; the file holds %llu (truncated?)", header_chunks,
                         (unsigned long long) run->chunks);
        if (run->chunks - run->empty_chunks - run->bad_chunks > header_chunks)
                diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, 0,
                         "the file header counts %u chunks; %llu were found and read", header_chunks,
                         (unsigned long long) (run->chunks - run->empty_chunks - run->bad_chunks));
        if (run->recovered > 0 || run->dropped > 0)
                diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, DIAG_NO_OFFSET,
                         "%llu records recovered from slack space or past damaged records (flagged as recovered); "
                         "%llu more were copies of records already read and were dropped",
                         (unsigned long long) run->recovered, (unsigned long long) run->dropped);
        if (run->ids.full)
                diag_add(run->diag, DIAG_WARNING, DIAG_NO_LINE, DIAG_NO_OFFSET,
                         "record ids too scattered to remember them all (%d runs): recovered duplicates may remain",
                         EVDIAG_MAX_EVTX_ID_RANGES);
        r = 0;
finish:
        pool_stop(run);
        return r;
}

int evtx_parse_threads(InStream *in, const ParseOptions *opts, unsigned threads, const ImportSink *sink,
                       Diag *diag) {
        Run run = {
                .cfg = { .mode = EVTX_MODE_IMPORT, .style = EVTX_STYLE_LIBEVTX },
                .in = in,
                .diag = diag,
                .sink = sink,
        };

        return evtx_run(&run, threads);
}

int evtx_parse(InStream *in, const ParseOptions *opts, const ImportSink *sink, Diag *diag) {
        return evtx_parse_threads(in, opts, 0, sink, diag);
}

int evtx_dump(InStream *in, EvtxDumpFormat fmt, unsigned threads, EvtxWriteFn write, void *userdata, Diag *diag) {
        Run run = {
                .cfg = {
                        .mode = fmt == EVTX_DUMP_XML ? EVTX_MODE_XML : EVTX_MODE_JSONL,
                        .style = fmt == EVTX_DUMP_XML ? EVTX_STYLE_WINDOWS : EVTX_STYLE_LIBEVTX,
                },
                .in = in,
                .diag = diag,
                .write = write,
                .userdata = userdata,
        };

        if (fmt != EVTX_DUMP_XML && fmt != EVTX_DUMP_JSONL)
                return -EINVAL;
        return evtx_run(&run, threads);
}
