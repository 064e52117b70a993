/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The key a host is matched on: its first DNS label, lowercased ("WEB02.contoso.local" ->
 * "web02"). Returns a new string, or NULL when out of memory or when name has no label. */
char *hostname_key(const char *name, size_t n);

/* True when both names have the same key. */
bool hostname_equal(const char *a, const char *b);
