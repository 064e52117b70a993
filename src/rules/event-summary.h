/* SPDX-License-Identifier: MIT */
#pragma once

/* The one line an event gets in evidence and timelines when a rule does not say better:
 * "Service Control Manager 7036: The IIS Admin Service service entered the running state" —
 * the first line of its message, or its values when the export has none. */

#include <stdint.h>

/* data is the event's values as the store keeps them (JSON pairs, or NULL). Returns a new
 * string of at most about 300 bytes (cut at a UTF-8 boundary, with "…"), or NULL when out of
 * memory. */
char *event_summary(const char *provider, int64_t event_id, const char *message, const char *data);
