/*
 * test_generation.c — storage_generation(), the key of the results
 * cache: a commit bumps the databases it changed and no other, a child's
 * changes count when its parent commits, aborts and reads bump nothing,
 * and a commit by another process shows once a transaction of this one
 * begins after it. And the journal of changed keys beside it.
 */
#include "config.h"

#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "storage/storage.h"
#include "tests/unit/tmpdir.h"

struct fx {
	char		 dir[512];
	struct storage	*st;
};

static int
open_store(const char *dir, bool create, struct storage **out)
{
	struct storage_opts	so;

	memset(&so, 0, sizeof(so));
	so.so_dir = dir;
	so.so_map_size = (size_t)16 << 20;
	so.so_create = create;
	return storage_open(&so, out);
}

static int
setup(void **state)
{
	struct fx	*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(tmpdir_make(f->dir, sizeof(f->dir), "gen"), 0);
	assert_int_equal(open_store(f->dir, true, &f->st), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx	*f = *state;

	storage_close(f->st);
	tmpdir_remove(f->dir);
	free(f);
	return 0;
}

static void
snap(struct storage *st, uint64_t g[STORAGE_DB_COUNT])
{
	int	i;

	for (i = 0; i < STORAGE_DB_COUNT; i++) {
		g[i] = storage_generation(st, (enum storage_db)i);
		assert_true(g[i] != 0);
	}
}

static void
put(struct storage_txn *txn, enum storage_db db, const char *key)
{
	assert_int_equal(storage_put(txn, db, key, strlen(key), "v", 1, 0), 0);
}

static void
test_own_commits(void **state)
{
	struct fx		*f = *state;
	struct storage_txn	*txn = NULL, *child = NULL;
	uint64_t		 a[STORAGE_DB_COUNT], b[STORAGE_DB_COUNT];
	int			 i;

	/* Settle: the first transactions may account for the schema. */
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	storage_txn_abort(txn);
	snap(f->st, a);

	/* A read changes nothing. */
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	storage_txn_abort(txn);
	snap(f->st, b);
	assert_memory_equal(a, b, sizeof(a));

	/* A write to cells bumps cells, and only cells. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	put(txn, STORAGE_DB_CELLS, "c1");
	snap(f->st, b);
	assert_memory_equal(a, b, sizeof(a));	/* not before the commit */
	assert_int_equal(storage_txn_commit(txn), 0);
	snap(f->st, b);
	for (i = 0; i < STORAGE_DB_COUNT; i++)
		assert_int_equal(b[i], a[i] + (i == STORAGE_DB_CELLS));

	/* An aborted write bumps nothing. */
	memcpy(a, b, sizeof(a));
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	put(txn, STORAGE_DB_UNITS, "u1");
	storage_txn_abort(txn);
	snap(f->st, b);
	assert_memory_equal(a, b, sizeof(a));

	/* A child's change counts when the parent commits; an aborted
	 * child's does not. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	put(child, STORAGE_DB_AUDIT, "a1");
	assert_int_equal(storage_txn_commit(child), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	put(child, STORAGE_DB_SURVEYS, "s1");
	storage_txn_abort(child);
	assert_int_equal(storage_txn_commit(txn), 0);
	snap(f->st, b);
	for (i = 0; i < STORAGE_DB_COUNT; i++)
		assert_int_equal(b[i], a[i] + (i == STORAGE_DB_AUDIT));

	/* A delete and a response count too. */
	memcpy(a, b, sizeof(a));
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_del(txn, STORAGE_DB_CELLS, "c1", 2), 0);
	assert_int_equal(storage_response_put(txn, 1, 19800, "{}", 2), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	snap(f->st, b);
	assert_int_equal(b[STORAGE_DB_CELLS], a[STORAGE_DB_CELLS] + 1);
	assert_int_equal(b[STORAGE_DB_RESPONSES], a[STORAGE_DB_RESPONSES] + 1);
	assert_int_equal(b[STORAGE_DB_UNITS], a[STORAGE_DB_UNITS]);
}

static void
test_other_process(void **state)
{
	struct fx		*f = *state;
	struct storage_txn	*txn = NULL;
	struct storage		*st2 = NULL;
	uint64_t		 a[STORAGE_DB_COUNT], b[STORAGE_DB_COUNT];
	pid_t			 pid;
	int			 status, i;

	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	storage_txn_abort(txn);
	snap(f->st, a);
	/* Another process (palautectl beside palauted) writes a unit. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (open_store(f->dir, false, &st2) != 0 ||
		    storage_txn_begin(st2, true, &txn) != 0 ||
		    storage_put(txn, STORAGE_DB_UNITS, "u2", 2, "v", 1, 0) !=
		    0 || storage_txn_commit(txn) != 0)
			_exit(1);
		storage_close(st2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* Unseen until a transaction begins on the new snapshot... */
	snap(f->st, b);
	assert_memory_equal(a, b, sizeof(a));
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	storage_txn_abort(txn);
	/* ...then every generation moves: this process cannot tell what
	 * the other one changed. */
	snap(f->st, b);
	for (i = 0; i < STORAGE_DB_COUNT; i++)
		assert_true(b[i] > a[i]);
	/* And only once. */
	memcpy(a, b, sizeof(a));
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	storage_txn_abort(txn);
	snap(f->st, b);
	assert_memory_equal(a, b, sizeof(a));
}

struct seen {
	char	keys[64][STORAGE_JOURNAL_KEYMAX + 1];
	size_t	n;
};

static int
seen_key(const void *key, size_t klen, void *arg)
{
	struct seen	*s = arg;

	assert_true(s->n < 64 && klen <= STORAGE_JOURNAL_KEYMAX);
	memcpy(s->keys[s->n], key, klen);
	s->keys[s->n++][klen] = '\0';
	return 0;
}

static bool
seen_has(const struct seen *s, const char *key)
{
	size_t	i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->keys[i], key) == 0)
			return true;
	return false;
}

static void
test_journal(void **state)
{
	struct fx		*f = *state;
	struct storage_txn	*txn = NULL, *child = NULL;
	struct seen		 s;
	uint64_t		 g0, g1, g2;
	char			 key[16];
	int			 i;
	pid_t			 pid;
	int			 status;

	assert_int_equal(storage_journal_read(f->st, STORAGE_DB_CELLS, 0, 1,
	    seen_key, &s), -ESTALE);		/* not kept */
	assert_int_equal(storage_journal_keep(f->st, STORAGE_DB_CELLS, 8), 0);
	assert_int_equal(storage_journal_keep(f->st, STORAGE_DB_CELLS, 8),
	    -EEXIST);
	g0 = storage_generation(f->st, STORAGE_DB_CELLS);

	/* Two commits; the second with a child kept and one undone. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	put(txn, STORAGE_DB_CELLS, "a");
	put(txn, STORAGE_DB_UNITS, "u");	/* not the journal's db */
	assert_int_equal(storage_txn_commit(txn), 0);
	g1 = storage_generation(f->st, STORAGE_DB_CELLS);
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	put(child, STORAGE_DB_CELLS, "b");
	assert_int_equal(storage_txn_commit(child), 0);
	assert_int_equal(storage_txn_begin_child(txn, &child), 0);
	put(child, STORAGE_DB_CELLS, "undone");
	storage_txn_abort(child);
	assert_int_equal(storage_del(txn, STORAGE_DB_CELLS, "a", 1), 0);
	assert_int_equal(storage_txn_commit(txn), 0);
	g2 = storage_generation(f->st, STORAGE_DB_CELLS);

	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_journal_read(f->st, STORAGE_DB_CELLS, g0, g2,
	    seen_key, &s), 0);
	assert_true(seen_has(&s, "a") && seen_has(&s, "b"));
	assert_false(seen_has(&s, "undone") || seen_has(&s, "u"));
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_journal_read(f->st, STORAGE_DB_CELLS, g0, g1,
	    seen_key, &s), 0);
	assert_int_equal(s.n, 1);		/* only the first commit */
	assert_string_equal(s.keys[0], "a");
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_journal_read(f->st, STORAGE_DB_CELLS, g2, g2,
	    seen_key, &s), 0);
	assert_int_equal(s.n, 0);

	/* Eight keys remembered: more, and the old span is lost. */
	assert_int_equal(storage_txn_begin(f->st, true, &txn), 0);
	for (i = 0; i < 9; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		put(txn, STORAGE_DB_CELLS, key);
	}
	assert_int_equal(storage_txn_commit(txn), 0);
	assert_int_equal(storage_journal_read(f->st, STORAGE_DB_CELLS, g2,
	    storage_generation(f->st, STORAGE_DB_CELLS), seen_key, &s),
	    -ESTALE);
	g1 = storage_generation(f->st, STORAGE_DB_CELLS);
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_journal_read(f->st, STORAGE_DB_CELLS, g1, g1,
	    seen_key, &s), 0);

	/* Another process's commit: nothing before it can be told. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct storage	*st2 = NULL;

		if (open_store(f->dir, false, &st2) != 0 ||
		    storage_txn_begin(st2, true, &txn) != 0 ||
		    storage_put(txn, STORAGE_DB_CELLS, "x", 1, "v", 1, 0) !=
		    0 || storage_txn_commit(txn) != 0)
			_exit(1);
		storage_close(st2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(storage_txn_begin(f->st, false, &txn), 0);
	storage_txn_abort(txn);
	g2 = storage_generation(f->st, STORAGE_DB_CELLS);
	assert_true(g2 > g1);
	assert_int_equal(storage_journal_read(f->st, STORAGE_DB_CELLS, g1, g2,
	    seen_key, &s), -ESTALE);
	memset(&s, 0, sizeof(s));
	assert_int_equal(storage_journal_read(f->st, STORAGE_DB_CELLS, g2, g2,
	    seen_key, &s), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_own_commits, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_other_process, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_journal, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
