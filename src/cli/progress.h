/* SPDX-License-Identifier: MIT */
#pragma once

/* The import progress bar: one line on standard error, redrawn at most ten times a second,
 * "  3/6 files  12.3/45.6 MB  8120 events/s  WEB01/System.evtx", and cleared when the import
 * is over, so that warnings and reports printed afterwards start on a clean line. */

#include <stdbool.h>
#include <stdio.h>

#include "importer/import.h"

typedef struct Progress Progress;

/* A bar drawn on f (borrowed) when enabled; a disabled one draws nothing, so that callers need
 * not test. NULL when out of memory. */
Progress *progress_new(FILE *f, bool enabled);
/* Clears the line if anything was drawn; returns NULL. */
Progress *progress_free(Progress *p);

/* An ImportTickFn: userdata is the Progress. Draws when 100 ms have passed since the last
 * drawing (and on the first tick). */
void progress_tick(void *userdata, const ImportTick *tick);
/* Erases the bar, if drawn. */
void progress_clear(Progress *p);

#include "base/alloc.h"
DEFINE_TRIVIAL_CLEANUP_FUNC(Progress *, progress_free);
