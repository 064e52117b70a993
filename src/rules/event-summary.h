/* SPDX-License-Identifier: MIT */
#pragma once

/* The one line an event gets in evidence and timelines when a rule does not say better:
 * "Service Control Manager 7036: The IIS Admin Service service entered the running state" —
 * the first line of its message, then the values that tell what a process creation, logon or
 * service change was about ("Microsoft-Windows-Sysmon 1: Process Create — Image=…;
 * CommandLine=…; User=…"); with no message, those values, or every value when none of them is
 * there (positional ones, "param1", without their names). */

#include <stdint.h>

/* data is the event's values as the store keeps them (JSON pairs, or NULL). Returns a new
 * string of at most about 300 bytes (cut at a UTF-8 boundary, with "…"), or NULL when out of
 * memory. */
char *event_summary(const char *provider, int64_t event_id, const char *message, const char *data);

/* Where an event was read: "path:line", or "path, offset 0x1f000" for a binary log, or the path
 * alone (line and offset EVENT_NO_VALUE or negative when unknown; "?" for a NULL path). Returns
 * a new string, or NULL when out of memory. */
char *event_source(const char *path, int64_t line, int64_t offset);
