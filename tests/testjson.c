/* testjson.c - see testjson.h. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <string.h>

#include "testjson.h"
#include "testutil.h"

json_t *
tj_line(const char *text, size_t i)
{
	const char *p = text;
	for (size_t k = 0; k < i; k++) {
		p = strchr(p, '\n');
		cr_assert_not_null(p, "no JSON line %zu in: %s", i, text);
		p++;
	}
	const char *end = strchr(p, '\n');
	cr_assert_not_null(end, "JSON line %zu is not terminated", i);
	json_error_t err;
	json_t *j = json_loadb(p, (size_t)(end - p), 0, &err);
	cr_assert_not_null(j, "line %zu is not JSON (%s): %.*s", i, err.text, (int)(end - p), p);
	cr_assert(json_is_object(j), "line %zu is not a JSON object", i);
	return j;
}

json_t *
tj_lines(const char *text)
{
	json_t *a = json_array();
	cr_assert_not_null(a);
	for (const char *p = text; *p != '\0';) {
		const char *end = strchr(p, '\n');
		cr_assert_not_null(end, "JSON line not terminated: %s", p);
		json_error_t err;
		json_t *j = json_loadb(p, (size_t)(end - p), 0, &err);
		cr_assert_not_null(j, "not JSON (%s): %.*s", err.text, (int)(end - p), p);
		json_array_append_new(a, j);
		p = end + 1;
	}
	return a;
}

json_t *
tj_cli(const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	tu_run_free(&tu_last);
	int rc = tu_cliv(&tu_last, arg, ap);
	va_end(ap);
	cr_assert_eq(rc, 0, "cannot run mapiprof");
	cr_assert_eq(tu_last.status, 0, "exit %d, want 0\nstdout: %s\nstderr: %s", tu_last.status,
	             tu_last.out, tu_last.err);
	return tj_line(tu_last.out, 0);
}

const char *
tj_str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	cr_assert(json_is_string(v), "\"%s\" is not a string", key);
	return json_string_value(v);
}

json_int_t
tj_int(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	cr_assert(json_is_integer(v), "\"%s\" is not an integer", key);
	return json_integer_value(v);
}

void
tj_assert_null(json_t *o, const char *key)
{
	cr_assert(json_is_null(json_object_get(o, key)), "\"%s\" is not null", key);
}

json_t *
tj_find(json_t *a, const char *key, const char *value)
{
	size_t i;
	json_t *x;
	cr_assert(json_is_array(a), "no array to find %s %s in", key, value);
	json_array_foreach(a, i, x)
	{
		if (strcmp(tj_str(x, key), value) == 0)
			return x;
	}
	cr_assert_fail("no %s %s", key, value);
	return NULL;
}

json_t *
tj_first_sections(json_t *file)
{
	return json_object_get(json_array_get(json_object_get(file, "profiles"), 0), "sections");
}
