/* SPDX-License-Identifier: MIT */
#pragma once

/* HTTP.sys endpoints as events, netsh and site bindings write them, brought to one form so they
 * can be compared: "0.0.0.0:443", "[::]:443", "10.1.2.3:8443", "www.contoso.com:443". */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Normalises "IP:port", "[IPv6]:port", "*:port", ":port" (all addresses, as 0.0.0.0) or
 * "host:port" (lowercased). Returns 0 with a string the caller frees, -EBADMSG when s is not an
 * endpoint, -ENOMEM. */
int endpoint_normalize(const char *s, size_t n, char **ret);

/* True when both normalise to the same endpoint (the IPs, or host names, and the ports equal). */
bool endpoint_equal(const char *a, const char *b);

/* Splits an IIS bindingInformation "IP:port:host" ("*:443:", "[::1]:443:www.x.com").
 * *ret_ip and *ret_host are new strings ("*" and "" kept as written), *ret_port the port.
 * Returns 0, -EBADMSG or -ENOMEM. */
int binding_information_split(const char *s, char **ret_ip, int64_t *ret_port, char **ret_host);

/* The HTTP.sys key a site binding maps to: "host:port" when sslFlags has SNI (bit 0) and a host
 * name is set, else "IP:port" with "*" or "" as 0.0.0.0. Returns 0, -EBADMSG or -ENOMEM. */
int binding_endpoint(const char *ip, int64_t port, const char *host, int64_t ssl_flags, char **ret);

/* Finds the endpoint a rendered message names, whatever its language: the last "IP:port" or
 * "[IPv6]:port" token, else the last "host.name:port" token. Returns 0 with a normalised
 * endpoint, -ENOENT when there is none, -ENOMEM. */
int endpoint_find_in_text(const char *s, size_t n, char **ret);
