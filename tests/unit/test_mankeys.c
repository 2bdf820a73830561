/*
 * test_mankeys.c — man/palauted.conf.5 and the parser's key table list the
 * same keys, and the default the man page states for each is the one
 * config_defaults() sets (parsed with config_set() and compared through
 * config_dump(), so "8G" and 8589934592 agree).
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/config.h"

#define MAN_PAGE	TEST_SRCDIR "/man/palauted.conf.5"
#define MAX_KEYS	128

struct man_key {
	char	mk_name[64];
	char	mk_default[256];	/* "" until a "Default:" line */
	bool	mk_has_default;
};

static struct man_key	man_keys[MAX_KEYS];
static size_t		man_nkeys;

/* ".It Cm NAME ..." starts a key; "Default: VALUE" gives its default. */
static void
read_man(void)
{
	FILE	*fp = fopen(MAN_PAGE, "r");
	char	 line[1024], *p;
	size_t	 n;

	assert_non_null(fp);
	man_nkeys = 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, ".It Cm ", 7) == 0) {
			assert_true(man_nkeys < MAX_KEYS);
			p = line + 7;
			n = strcspn(p, " ");
			assert_true(n < sizeof(man_keys[0].mk_name));
			memset(&man_keys[man_nkeys], 0, sizeof(man_keys[0]));
			memcpy(man_keys[man_nkeys].mk_name, p, n);
			man_nkeys++;
		} else if (strncmp(line, "Default: ", 9) == 0 &&
		    man_nkeys > 0) {
			struct man_key *mk = &man_keys[man_nkeys - 1];

			assert_false(mk->mk_has_default);
			assert_true(strlen(line + 9) <
			    sizeof(mk->mk_default));
			memcpy(mk->mk_default, line + 9, strlen(line + 9) + 1);
			mk->mk_has_default = true;
		} else if (strcmp(line, ".El") == 0 && man_nkeys > 0)
			break;	/* the end of the key list */
	}
	fclose(fp);
}

static const struct man_key *
man_find(const char *name)
{
	size_t	i;

	for (i = 0; i < man_nkeys; i++)
		if (strcmp(man_keys[i].mk_name, name) == 0)
			return &man_keys[i];
	return NULL;
}

struct dump {
	const char	*d_key;
	char		 d_line[CONFIG_STR_MAX + 64];
};

static void
dump_one(const char *line, void *arg)
{
	struct dump	*d = arg;
	size_t		 n = strlen(d->d_key);

	if (strncmp(line, d->d_key, n) == 0 && strncmp(line + n, " = ", 3) ==
	    0)
		snprintf(d->d_line, sizeof(d->d_line), "%s", line);
}

static void
test_same_keys(void **state)
{
	size_t	i;

	read_man();
	assert_true(man_nkeys > 0);
	for (i = 0; i < config_nkeys(); i++)
		if (man_find(config_key_name(i)) == NULL)
			fail_msg("key '%s' is not in %s", config_key_name(i),
			    MAN_PAGE);
	for (i = 0; i < man_nkeys; i++) {
		size_t	j;

		for (j = 0; j < config_nkeys(); j++)
			if (strcmp(config_key_name(j), man_keys[i].mk_name) ==
			    0)
				break;
		if (j == config_nkeys())
			fail_msg("%s documents '%s', which the parser does "
			    "not know", MAN_PAGE, man_keys[i].mk_name);
	}
	assert_int_equal(man_nkeys, config_nkeys());
}

static void
test_defaults(void **state)
{
	struct config	 def, doc;
	struct dump	 a, b;
	char		 err[256];
	const char	*value;
	size_t		 i;

	read_man();
	config_defaults(&def);
	for (i = 0; i < config_nkeys(); i++) {
		const struct man_key *mk = man_find(config_key_name(i));

		assert_non_null(mk);
		if (!mk->mk_has_default)
			fail_msg("%s: no 'Default:' line for '%s'", MAN_PAGE,
			    mk->mk_name);
		/* Paths that configure decides are named, not spelled out. */
		if (strstr(mk->mk_default, "DATADIR") != NULL)
			continue;
		value = strcmp(mk->mk_default, "none") == 0 ? "" :
		    mk->mk_default;
		config_defaults(&doc);
		if (config_set(&doc, mk->mk_name, value, err,
		    sizeof(err)) != 0)
			fail_msg("%s: the default of '%s' does not parse: %s",
			    MAN_PAGE, mk->mk_name, err);
		a.d_key = b.d_key = mk->mk_name;
		a.d_line[0] = b.d_line[0] = '\0';
		config_dump(&def, dump_one, &a);
		config_dump(&doc, dump_one, &b);
		if (strcmp(a.d_line, b.d_line) != 0)
			fail_msg("%s says '%s' by default, the parser has '%s'",
			    MAN_PAGE, b.d_line, a.d_line);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_keys),
		cmocka_unit_test(test_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
