/*
 * audit.c — appending to and verifying the hash-chained audit log.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/rec.h"
#include "storage/storage.h"

#define AUDIT_HEX		(2 * crypto_generichash_BYTES + 1)
#define AUDIT_DOMAIN		"palaute-audit-v1"

static const char	audit_head_key[] = "audit_head";

static void
audit_key(uint64_t seq, uint8_t key[AUDIT_KEYLEN])
{
	int	i;

	for (i = AUDIT_KEYLEN - 1; i >= 0; i--) {
		key[i] = (uint8_t)seq;
		seq >>= 8;
	}
}

static uint64_t
audit_key_seq(const uint8_t *key)
{
	uint64_t	seq = 0;
	int		i;

	for (i = 0; i < AUDIT_KEYLEN; i++)
		seq = seq << 8 | key[i];
	return seq;
}

/* The hex hash of entry (which must not hold "hash"): canonical dump. */
static int
audit_hash(const json_t *entry, char hex[AUDIT_HEX])
{
	crypto_generichash_state	 st;
	unsigned char			 bin[crypto_generichash_BYTES];
	char				*text;

	text = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		return -ENOMEM;
	crypto_generichash_init(&st, NULL, 0, sizeof(bin));
	crypto_generichash_update(&st, (const unsigned char *)AUDIT_DOMAIN,
	    sizeof(AUDIT_DOMAIN));
	crypto_generichash_update(&st, (const unsigned char *)text,
	    strlen(text));
	crypto_generichash_final(&st, bin, sizeof(bin));
	free(text);
	sodium_bin2hex(hex, AUDIT_HEX, bin, sizeof(bin));
	return 0;
}

static void
audit_zero_hex(char hex[AUDIT_HEX])
{
	memset(hex, '0', AUDIT_HEX - 1);
	hex[AUDIT_HEX - 1] = '\0';
}

/* The head {seq, hash}; -ENOENT when there is none. */
static int
audit_head(struct storage_txn *txn, uint64_t *seq, char hash[AUDIT_HEX])
{
	json_t		*head = NULL, *s, *h;
	int		 ret;

	ret = rec_get_key(txn, STORAGE_DB_META, audit_head_key,
	    sizeof(audit_head_key) - 1, &head);
	if (ret != 0)
		goto done;
	s = json_object_get(head, "seq");
	h = json_object_get(head, "hash");
	if (!json_is_integer(s) || json_integer_value(s) < 1 ||
	    !json_is_string(h) || json_string_length(h) != AUDIT_HEX - 1) {
		ret = -EBADMSG;
		goto done;
	}
	*seq = (uint64_t)json_integer_value(s);
	memcpy(hash, json_string_value(h), AUDIT_HEX);
	ret = 0;
done:
	json_decref(head);
	return ret;
}

/* Whether the log holds any entry. */
static int
audit_empty(struct storage_txn *txn, bool *empty)
{
	struct storage_iter	*it = NULL;
	const void		*k, *v;
	size_t			 kl, vl;
	int			 rc;

	if ((rc = storage_iter_new(txn, STORAGE_DB_AUDIT, NULL, 0, &it)) != 0)
		return rc;
	rc = storage_iter_next(it, &k, &kl, &v, &vl);
	storage_iter_free(it);
	if (rc == 0 || rc == -EBADMSG) {
		*empty = false;
		return 0;
	}
	if (rc == -ENOENT) {
		*empty = true;
		return 0;
	}
	return rc;
}

int
audit_append(struct storage_txn *txn, const char *who, const char *action,
    json_t *detail)
{
	json_t		*entry = NULL, *head = NULL;
	uint8_t		 key[AUDIT_KEYLEN];
	char		 prev[AUDIT_HEX], hash[AUDIT_HEX], day[16];
	uint64_t	 seq = 0;
	bool		 empty;
	int		 ret;

	ret = audit_head(txn, &seq, prev);
	if (ret == -ENOENT) {
		/* First entry, unless the head was removed to hide some. */
		if ((ret = audit_empty(txn, &empty)) != 0)
			goto done;
		if (!empty) {
			log_warnx("audit: entries without a head; the log "
			    "was tampered with, refusing to append");
			ret = -EIO;
			goto done;
		}
		seq = 0;
		audit_zero_hex(prev);
	} else if (ret != 0)
		goto done;
	seq++;
	if ((ret = util_format_date(util_today(), day, sizeof(day))) != 0)
		goto done;
	entry = json_pack("{s:I, s:s, s:s, s:s, s:O, s:s}", "seq",
	    (json_int_t)seq, "day", day, "who", who, "action", action,
	    "detail", detail != NULL ? detail : json_null(), "prev", prev);
	if (entry == NULL) {
		/* who or action is not UTF-8 (or memory ran out). */
		ret = -EINVAL;
		goto done;
	}
	if ((ret = audit_hash(entry, hash)) != 0)
		goto done;
	if (json_object_set_new(entry, "hash", json_string(hash)) != 0) {
		ret = -ENOMEM;
		goto done;
	}
	audit_key(seq, key);
	ret = rec_put_key(txn, STORAGE_DB_AUDIT, key, sizeof(key), entry,
	    STORAGE_NOOVERWRITE);
	if (ret == -EEXIST) {
		log_warnx("audit: entry %llu exists beyond the head",
		    (unsigned long long)seq);
		ret = -EIO;
	}
	if (ret != 0)
		goto done;
	head = json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "hash", hash);
	if (head == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	ret = rec_put_key(txn, STORAGE_DB_META, audit_head_key,
	    sizeof(audit_head_key) - 1, head, 0);
done:
	json_decref(entry);
	json_decref(head);
	json_decref(detail);
	return ret;
}

/* Whether one entry read under seq is intact and follows prev. */
static bool
audit_entry_ok(json_t *entry, uint64_t seq, const char prev[AUDIT_HEX],
    char hash_out[AUDIT_HEX])
{
	json_t		*s, *p, *h;
	char		 stored[AUDIT_HEX], calc[AUDIT_HEX];
	bool		 ok;

	s = json_object_get(entry, "seq");
	p = json_object_get(entry, "prev");
	h = json_object_get(entry, "hash");
	if (!json_is_integer(s) || (uint64_t)json_integer_value(s) != seq ||
	    !json_is_string(p) || !json_is_string(h) ||
	    json_string_length(h) != AUDIT_HEX - 1 ||
	    json_string_length(p) != AUDIT_HEX - 1)
		return false;
	memcpy(stored, json_string_value(h), AUDIT_HEX);
	/* Hash the entry as it was before its hash was added. */
	json_incref(h);
	json_object_del(entry, "hash");
	ok = audit_hash(entry, calc) == 0;
	json_object_set_new(entry, "hash", h);
	if (!ok)
		return false;
	memcpy(hash_out, stored, AUDIT_HEX);
	/* Public hashes, but the habit costs nothing. */
	return sodium_memcmp(calc, stored, AUDIT_HEX - 1) == 0 &&
	    sodium_memcmp(json_string_value(p), prev, AUDIT_HEX - 1) == 0;
}

static void
audit_break(struct audit_check *out, uint64_t seq)
{
	if (out->ac_ok) {
		out->ac_ok = false;
		out->ac_broken_at = seq;
	}
}

int
audit_verify(struct storage_txn *txn, uint64_t after, size_t limit,
    json_t *entries, struct audit_check *out)
{
	struct storage_iter	*it = NULL;
	const void		*key, *val;
	size_t			 klen, vlen, listed = 0;
	json_t			*entry;
	char			 prev[AUDIT_HEX], hash[AUDIT_HEX],
				 head_hash[AUDIT_HEX];
	uint64_t		 expect = 1, seq, head_seq = 0;
	int			 ret, rc;

	memset(out, 0, sizeof(*out));
	out->ac_ok = true;
	audit_zero_hex(prev);
	if ((ret = storage_iter_new(txn, STORAGE_DB_AUDIT, NULL, 0, &it)) != 0)
		goto done;
	while ((rc = storage_iter_next(it, &key, &klen, &val, &vlen)) == 0) {
		if (klen != AUDIT_KEYLEN) {
			audit_break(out, expect);
			continue;
		}
		seq = audit_key_seq(key);
		out->ac_count++;
		out->ac_last = seq;
		if (seq != expect)	/* a gap: entry `expect` was removed */
			audit_break(out, expect);
		expect = seq + 1;
		entry = json_loadb(val, vlen, 0, NULL);
		if (entry == NULL || !json_is_object(entry)) {
			json_decref(entry);
			audit_break(out, seq);
			audit_zero_hex(prev);
			continue;
		}
		if (!audit_entry_ok(entry, seq, prev, hash)) {
			audit_break(out, seq);
			/* Follow the stored hashes, to list the rest. */
			if (json_is_string(json_object_get(entry, "hash")) &&
			    json_string_length(json_object_get(entry,
			    "hash")) == AUDIT_HEX - 1)
				memcpy(hash, json_string_value(
				    json_object_get(entry, "hash")), AUDIT_HEX);
			else
				audit_zero_hex(hash);
		}
		memcpy(prev, hash, AUDIT_HEX);
		if (entries != NULL && seq > after && listed < limit) {
			json_array_append(entries, entry);
			listed++;
		}
		json_decref(entry);
	}
	if (rc == -EBADMSG) {
		/* A value that no longer opens: altered under the seal. */
		audit_break(out, expect);
	} else if (rc != -ENOENT) {
		ret = rc;
		goto done;
	}
	rc = audit_head(txn, &head_seq, head_hash);
	if (rc == -ENOENT) {
		if (out->ac_count > 0)
			audit_break(out, out->ac_last + 1);
	} else if (rc == -EBADMSG) {
		audit_break(out, out->ac_last + 1);
	} else if (rc != 0) {
		ret = rc;
		goto done;
	} else if (head_seq > out->ac_last) {
		/* Entries were cut off the end. */
		audit_break(out, out->ac_last + 1);
	} else if (head_seq < out->ac_last) {
		/* Entries were added without the head: forged. */
		audit_break(out, head_seq + 1);
	} else if (sodium_memcmp(head_hash, prev, AUDIT_HEX - 1) != 0) {
		audit_break(out, head_seq);
	}
	ret = 0;
done:
	storage_iter_free(it);
	return ret;
}

