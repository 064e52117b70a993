/* SPDX-License-Identifier: MIT */
#pragma once

/* Text templates in rules: "${name}" is replaced by a value, "${name|fallback}" by the
 * fallback when the value is missing or empty; the fallback is a template too, so
 * "${a|${b|none}}" tries a, then b. "$$" is a dollar sign. */

#include <stdbool.h>

#include "base/strbuf.h"

/* Returns the value of name, or NULL when it has none; the string is borrowed until the next
 * call. */
typedef const char *(*TemplateLookup)(void *userdata, const char *name);
/* Whether name is a variable the template's context provides. */
typedef bool (*TemplateKnows)(void *userdata, const char *name);

/* Checks the syntax and that every variable is known. Returns 0, or -EBADMSG with a message
 * (caller frees) in *ret_error. */
int template_check(const char *t, TemplateKnows knows, void *userdata, char **ret_error);

/* Appends t with its variables replaced. Returns 0 or -ENOMEM. */
int template_expand(const char *t, TemplateLookup lookup, void *userdata, StrBuf *out);
