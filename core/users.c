/*
 * users.c — accounts: names, roles, units, password hashes, and their
 * records with the by-name index.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <pwquality.h>
#include <sodium.h>

#include "common/codec.h"
#include "common/log.h"
#include "common/util.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/rec.h"
#include "core/users.h"
#include "storage/storage.h"

#define USERS_NKEYLEN	(1 + AUTH_HASH_BYTES)

const char *
users_role_name(enum role r)
{
	return r == ROLE_ADMIN ? "admin" : "manager";
}

int
users_role_parse(const char *s, enum role *out)
{
	if (strcmp(s, "admin") == 0)
		*out = ROLE_ADMIN;
	else if (strcmp(s, "manager") == 0)
		*out = ROLE_MANAGER;
	else
		return -EINVAL;
	return 0;
}

int
users_check_name(const char *name, struct error *err)
{
	size_t	i, n = strlen(name);

	if (n < USERS_NAME_MIN || n > USERS_NAME_MAX)
		return error_set(err, ERR_INVALID, "username",
		    "'username' must be %d to %d characters long",
		    USERS_NAME_MIN, USERS_NAME_MAX);
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) &&
		    strchr("._@-", name[i]) == NULL)
			return error_set(err, ERR_INVALID, "username",
			    "'username' may hold only letters a-z, digits "
			    "and . _ @ -");
	return 0;
}

/*
 * The next code point of the UTF-8 text at s into *cp: its length in
 * bytes, or 0 when s does not start one (a stray byte, an overlong form,
 * a surrogate, past U+10FFFF, or the NUL cutting a sequence short).
 */
static size_t
users_utf8_next(const unsigned char *s, uint32_t *cp)
{
	uint32_t	c = s[0], min;
	size_t		i, n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/*
 * Whether cp shows nothing: Unicode's White_Space, and the invisible
 * format characters a paste brings along (soft hyphen, zero-width space
 * and joiners, word joiner, BOM).
 */
static bool
users_invisible(uint32_t cp)
{
	static const uint32_t	range[][2] = {
		{ 0x0009, 0x000d }, { 0x0020, 0x0020 }, { 0x0085, 0x0085 },
		{ 0x00a0, 0x00a0 }, { 0x00ad, 0x00ad }, { 0x1680, 0x1680 },
		{ 0x2000, 0x200d }, { 0x2028, 0x2029 }, { 0x202f, 0x202f },
		{ 0x205f, 0x2060 }, { 0x3000, 0x3000 }, { 0xfeff, 0xfeff },
	};
	size_t			i;

	for (i = 0; i < sizeof(range) / sizeof(range[0]); i++)
		if (cp >= range[i][0] && cp <= range[i][1])
			return true;
	return false;
}

/*
 * cracklib keeps its open dictionary and its scratch buffers in static
 * storage (PWOpen, Mangle): two threads must never be inside it at once.
 */
static pthread_mutex_t	users_pwq_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * A password no dictionary holds and no rule refuses: when cracklib
 * refuses it too, cracklib refuses everything (no dictionary, or it runs
 * as a user with no passwd entry), and that is no fault of the password.
 */
#define USERS_PWQ_PROBE	"Xq7#vLp2!zR9wK"

/* The shortest core worth a look: cracklib finds no word below 6 bytes. */
#define USERS_STEM_MIN	6

/*
 * pwquality's settings, each chosen here with its reason, so that the
 * API's rules are the same on every machine.
 */
static int
users_pwq_new(pwquality_settings_t **out)
{
	static const struct {
		int	setting;
		int	value;
	} set[] = {
		/*
		 * The length rule is ours, in characters; pwquality counts
		 * bytes. Its floor lets it judge a core of USERS_STEM_MIN.
		 */
		{ PWQ_SETTING_MIN_LENGTH,	USERS_STEM_MIN },
		/*
		 * No composition rules (NIST): a class neither earns
		 * length (credit > 0) nor is required (credit < 0).
		 */
		{ PWQ_SETTING_DIG_CREDIT,	0 },
		{ PWQ_SETTING_UP_CREDIT,	0 },
		{ PWQ_SETTING_LOW_CREDIT,	0 },
		{ PWQ_SETTING_OTH_CREDIT,	0 },
		{ PWQ_SETTING_MIN_CLASS,	0 },
		/*
		 * Repeats and runs: cracklib weighs them against the length;
		 * pwquality's fixed caps would refuse "aaa" or "345" inside
		 * a long passphrase.
		 */
		{ PWQ_SETTING_MAX_REPEAT,	0 },
		{ PWQ_SETTING_MAX_CLASS_REPEAT,	0 },
		{ PWQ_SETTING_MAX_SEQUENCE,	0 },
		/* Accounts are not system users: no passwd entry to read. */
		{ PWQ_SETTING_GECOS_CHECK,	0 },
		{ PWQ_SETTING_DICT_CHECK,	1 },
		/*
		 * The whole name, forwards and backwards; not every 4 bytes
		 * of it, which a passphrase shares with a name by chance.
		 */
		{ PWQ_SETTING_USER_CHECK,	1 },
		{ PWQ_SETTING_USER_SUBSTR,	0 },
	};
	pwquality_settings_t	*pwq;
	size_t			 i;

	/*
	 * Compiled-in defaults: this reads no configuration file. Setting
	 * a value fails only for want of memory: configure asked for a
	 * libpwquality that knows every setting here.
	 */
	if ((pwq = pwquality_default_settings()) == NULL)
		return -ENOMEM;
	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++)
		if (pwquality_set_int_value(pwq, set[i].setting,
		    set[i].value) != 0)
			goto fail;
	/* The dictionary path stays unset: cracklib's own default. */
	if (pwquality_set_str_value(pwq, PWQ_SETTING_BAD_WORDS,
	    USERS_PASSWORD_BADWORDS) != 0)
		goto fail;
	*out = pwq;
	return 0;
fail:
	pwquality_free_settings(pwq);
	return -ENOMEM;
}

/* One pwquality check; *why gets cracklib's reason when it refuses. */
static int
users_pwq_check(pwquality_settings_t *pwq, const char *password,
    const char *name, const char **why)
{
	void	*aux = NULL;
	int	 rc;

	pthread_mutex_lock(&users_pwq_lock);
	rc = pwquality_check(pwq, password, NULL, name, &aux);
	pthread_mutex_unlock(&users_pwq_lock);
	/* A string constant of cracklib's (gettext's), not a buffer. */
	*why = rc == PWQ_ERROR_CRACKLIB_CHECK && aux != NULL ?
	    (const char *)aux : "it fails the dictionary check";
	return rc;
}

/*
 * The verdict of pwquality's rc on a password (or, when stem, its core)
 * into err. cracklib refusing even the probe is the daemon's fault, told
 * apart from a weak password here.
 */
static int
users_pwq_verdict(pwquality_settings_t *pwq, int rc, const char *why,
    bool stem, struct error *err)
{
	const char	*probe_why;

	if (rc >= 0)
		return 0;
	switch (rc) {
	case PWQ_ERROR_MEM_ALLOC:
		return -ENOMEM;
	case PWQ_ERROR_USER_CHECK:
		error_set(err, ERR_PASSWORD_USERNAME, "password",
		    "the password must not contain the user name");
		return -EINVAL;
	case PWQ_ERROR_PALINDROME:
		why = "it reads the same backwards";
		break;
	case PWQ_ERROR_BAD_WORDS:
		why = "it contains the name of the service";
		break;
	case PWQ_ERROR_CRACKLIB_CHECK:
		if (users_pwq_check(pwq, USERS_PWQ_PROBE, NULL,
		    &probe_why) != PWQ_ERROR_CRACKLIB_CHECK)
			break;
		log_warnx("users: cracklib refuses every password (%s); is "
		    "its dictionary installed (update-cracklib)?", probe_why);
		error_set(err, ERR_UNAVAILABLE, NULL, "passwords cannot be "
		    "checked now: the server's password dictionary is "
		    "missing");
		return -EIO;
	default:	/* a check that the settings above turn off */
		why = "it fails libpwquality's check";
		break;
	}
	if (stem)
		why = "it is a common word or pattern with only digits, "
		    "punctuation or spaces around it";
	error_set(err, ERR_PASSWORD_COMMON, "password",
	    "the password is too easy to guess: %s", why);
	return -EINVAL;
}

/* What a guesser adds around a word: ASCII digits, punctuation, spaces. */
static bool
users_padding(unsigned char c)
{
	return c < 0x80 && (isdigit(c) || ispunct(c) || isspace(c));
}

/*
 * The core of password into stem (USERS_PASSWORD_MAX + 1 bytes): the
 * password without the padding at either end. False when nothing was
 * taken off or the core is too short to judge.
 */
static bool
users_stem(const char *password, char *stem)
{
	size_t	len = strlen(password), i = 0, j = len;

	while (i < j && users_padding((unsigned char)password[i]))
		i++;
	while (j > i && users_padding((unsigned char)password[j - 1]))
		j--;
	if ((i == 0 && j == len) || j - i < USERS_STEM_MIN)
		return false;
	memcpy(stem, password + i, j - i);
	stem[j - i] = '\0';
	return true;
}

/* The rules pwquality judges: the user name, and easy to guess. */
static int
users_check_guessable(const char *name, const char *password,
    struct error *err)
{
	pwquality_settings_t	*pwq = NULL;
	char			 stem[USERS_PASSWORD_MAX + 1];
	const char		*why;
	int			 ret, rc;

	if ((ret = users_pwq_new(&pwq)) != 0)
		goto done;
	rc = users_pwq_check(pwq, password, name, &why);
	if ((ret = users_pwq_verdict(pwq, rc, why, false, err)) != 0)
		goto done;
	if (users_stem(password, stem)) {
		/* No name: the whole password was looked through for it. */
		rc = users_pwq_check(pwq, stem, NULL, &why);
		ret = users_pwq_verdict(pwq, rc, why, true, err);
	}
done:
	sodium_memzero(stem, sizeof(stem));
	pwquality_free_settings(pwq);
	return ret;
}

int
users_check_password(const char *name, const char *password,
    struct error *err)
{
	const unsigned char	*p;
	size_t			 n, chars = 0;
	uint32_t		 cp;
	bool			 blank = true;

	/* First, before any other rule walks an unbounded string. */
	if (strlen(password) > USERS_PASSWORD_MAX)
		return error_set(err, ERR_PASSWORD_TOO_LONG, "password",
		    "the password must be at most %d bytes long",
		    USERS_PASSWORD_MAX);
	for (p = (const unsigned char *)password; *p != '\0'; p += n) {
		if ((n = users_utf8_next(p, &cp)) == 0)
			return error_set(err, ERR_INVALID, "password",
			    "the password is not UTF-8 text");
		chars++;
		if (!users_invisible(cp))
			blank = false;
	}
	if (chars < USERS_PASSWORD_MIN)
		return error_set(err, ERR_PASSWORD_TOO_SHORT, "password",
		    "the password must be at least %d characters long",
		    USERS_PASSWORD_MIN);
	if (blank)
		return error_set(err, ERR_PASSWORD_BLANK, "password",
		    "the password must not be only spaces or other invisible "
		    "characters");
	return users_check_guessable(name, password, err);
}

int
users_hash_password(const char *password, char out[USERS_HASH_MAX])
{
	if (crypto_pwhash_str(out, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -ENOMEM;
	return 0;
}

char *
users_password_keep(const char *parsed)
{
	size_t	 n = strlen(parsed);
	char	*kept;

	if ((kept = sodium_malloc(n + 1)) != NULL)
		memcpy(kept, parsed, n + 1);
	sodium_memzero((char *)parsed, n);
	return kept;
}

bool
users_verify_password(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* The index key of a name: keyed hash of its lower-case form. */
static int
users_nkey(const uint8_t *hash_key, const char *name,
    uint8_t key[USERS_NKEYLEN])
{
	char	lower[USERS_NAME_MAX + 1];
	size_t	i, n = strlen(name);

	if (n > USERS_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	key[0] = 'n';
	auth_hash(hash_key, "username", lower, n, key + 1);
	return 0;
}

json_t *
users_public(const json_t *rec)
{
	return json_pack("{s:O, s:O, s:O, s:O, s:O}",
	    "id", json_object_get(rec, "id"),
	    "username", json_object_get(rec, "username"),
	    "role", json_object_get(rec, "role"),
	    "units", json_object_get(rec, "units"),
	    "created", json_object_get(rec, "created"));
}

int
users_find(const uint8_t *hash_key, struct storage_txn *txn,
    const char *name, json_t **rec_out)
{
	uint8_t		 key[USERS_NKEYLEN];
	json_t		*idx = NULL, *id;
	int		 ret;

	if ((ret = users_nkey(hash_key, name, key)) != 0)
		return -ENOENT;
	if ((ret = rec_get_key(txn, STORAGE_DB_USERS, key, sizeof(key),
	    &idx)) != 0)
		goto done;
	id = json_object_get(idx, "id");
	if (!json_is_integer(id) || json_integer_value(id) < 1 ||
	    json_integer_value(id) > UINT32_MAX) {
		ret = -EBADMSG;
		goto done;
	}
	ret = rec_get(txn, STORAGE_DB_USERS, (uint32_t)json_integer_value(id),
	    rec_out);
done:
	json_decref(idx);
	return ret;
}

int
users_principal(struct storage_txn *txn, uint32_t id,
    struct principal *who)
{
	json_t		*rec = NULL, *units, *u;
	const char	*name, *role;
	size_t		 i;
	int		 ret;

	memset(who, 0, sizeof(*who));
	if ((ret = rec_get(txn, STORAGE_DB_USERS, id, &rec)) != 0)
		return ret;
	name = json_string_value(json_object_get(rec, "username"));
	role = json_string_value(json_object_get(rec, "role"));
	units = json_object_get(rec, "units");
	if (name == NULL || role == NULL || !json_is_array(units) ||
	    json_array_size(units) > AUTH_MAX_SUBTREES ||
	    users_role_parse(role, &who->pr_role) != 0) {
		ret = -EBADMSG;
		goto done;
	}
	who->pr_user = id;
	snprintf(who->pr_name, sizeof(who->pr_name), "%s", name);
	json_array_foreach(units, i, u) {
		if (!json_is_integer(u)) {
			ret = -EBADMSG;
			goto done;
		}
		who->pr_units[i] = (uint32_t)json_integer_value(u);
	}
	who->pr_nunits = json_array_size(units);
	ret = 0;
done:
	json_decref(rec);
	return ret;
}

/* The units as the record holds them, each checked to exist. */
int
users_units_json(struct storage_txn *txn, const uint32_t *ids, size_t n,
    json_t **out, struct error *err)
{
	uint8_t	 ukey[REC_IDLEN];
	char	 field[32];
	json_t	*units = NULL;
	void	*val = NULL;
	size_t	 i, len;
	int	 ret;

	if ((units = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	for (i = 0; i < n; i++) {
		rec_key(ids[i], ukey);
		ret = storage_get(txn, STORAGE_DB_UNITS, ukey, sizeof(ukey),
		    &val, &len);
		free(val);
		val = NULL;
		if (ret == -ENOENT) {
			snprintf(field, sizeof(field), "units[%zu]", i);
			ret = error_set(err, ERR_INVALID, field,
			    "unit %u does not exist", (unsigned)ids[i]);
			goto done;
		} else if (ret != 0)
			goto done;
		if (json_array_append_new(units, json_integer(ids[i])) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	}
	*out = units;
	units = NULL;
	ret = 0;
done:
	json_decref(units);
	return ret;
}

struct users_drop {
	uint32_t	 ud_unit;
	json_t		*ud_ids;	/* users whose units hold ud_unit */
};

static int
users_with_unit(const void *key, size_t klen, json_t *rec, void *arg)
{
	struct users_drop	*ud = arg;
	json_t			*v;
	size_t			 i;

	if (klen != REC_IDLEN)	/* the by-name index */
		return 0;
	json_array_foreach(json_object_get(rec, "units"), i, v) {
		if (json_integer_value(v) == (json_int_t)ud->ud_unit)
			return json_array_append_new(ud->ud_ids,
			    json_integer(rec_key_id(key))) == 0 ? 0 : -ENOMEM;
	}
	return 0;
}

int
users_drop_unit(struct storage_txn *txn, uint32_t unit, json_t *changed)
{
	struct users_drop	 ud = { unit, NULL };
	json_t			*rec = NULL, *units, *id, *v;
	size_t			 i, j;
	int			 ret;

	/* Collect first: the walk's cursor must not see its own writes. */
	if ((ud.ud_ids = json_array()) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_each(txn, STORAGE_DB_USERS, NULL, 0, users_with_unit,
	    &ud)) != 0)
		goto done;
	json_array_foreach(ud.ud_ids, i, id) {
		if ((ret = rec_get(txn, STORAGE_DB_USERS,
		    (uint32_t)json_integer_value(id), &rec)) != 0)
			goto done;
		units = json_object_get(rec, "units");
		for (j = json_array_size(units); j-- > 0;) {
			v = json_array_get(units, j);
			if (json_integer_value(v) == (json_int_t)unit)
				json_array_remove(units, j);
		}
		if ((ret = rec_put(txn, STORAGE_DB_USERS,
		    (uint32_t)json_integer_value(id), rec)) != 0)
			goto done;
		json_decref(rec);
		rec = NULL;
		if (json_array_append(changed, id) != 0) {
			ret = -ENOMEM;
			goto done;
		}
	}
	ret = 0;
done:
	json_decref(rec);
	json_decref(ud.ud_ids);
	return ret;
}

int
users_insert(const uint8_t *hash_key, struct storage_txn *txn,
    const char *who, const struct users_new *u, uint32_t *id_out,
    json_t **public_out, struct error *err)
{
	uint8_t		 nkey[USERS_NKEYLEN];
	char		 day[16];
	json_t		*rec = NULL, *units = NULL, *idx = NULL, *pub = NULL;
	void		*val = NULL;
	size_t		 len;
	uint32_t	 id;
	int		 ret;

	if ((ret = users_nkey(hash_key, u->un_name, nkey)) != 0)
		goto done;
	ret = storage_get(txn, STORAGE_DB_USERS, nkey, sizeof(nkey), &val,
	    &len);
	free(val);
	val = NULL;
	if (ret == 0) {
		error_set(err, ERR_CONFLICT, "username",
		    "a user named '%s' exists", u->un_name);
		ret = -EEXIST;
		goto done;
	} else if (ret != -ENOENT)
		goto done;
	if ((ret = users_units_json(txn, u->un_units, u->un_nunits, &units,
	    err)) != 0)
		goto done;
	if ((ret = storage_next_id(txn, "user", &id)) != 0)
		goto done;
	if ((ret = util_format_date(util_today(), day, sizeof(day))) != 0)
		goto done;
	rec = json_pack("{s:I, s:s, s:s, s:O, s:s, s:s}", "id", (json_int_t)id,
	    "username", u->un_name, "role", users_role_name(u->un_role),
	    "units", units, "created", day, "hash", u->un_hash);
	idx = json_pack("{s:I}", "id", (json_int_t)id);
	if (rec == NULL || idx == NULL || (pub = users_public(rec)) == NULL) {
		ret = -ENOMEM;
		goto done;
	}
	if ((ret = rec_put(txn, STORAGE_DB_USERS, id, rec)) != 0 ||
	    (ret = rec_put_key(txn, STORAGE_DB_USERS, nkey, sizeof(nkey), idx,
	    STORAGE_NOOVERWRITE)) != 0)
		goto done;
	if ((ret = audit_append(txn, who, "user.create", json_deep_copy(pub)))
	    != 0)
		goto done;
	*id_out = id;
	if (public_out != NULL) {
		*public_out = pub;
		pub = NULL;
	}
	ret = 0;
done:
	json_decref(rec);
	json_decref(units);
	json_decref(idx);
	json_decref(pub);
	return ret;
}

int
users_remove(struct storage_txn *txn, const uint8_t *hash_key, uint32_t id,
    const char *name, size_t *nsess_out, size_t *napi_out)
{
	uint8_t	nkey[USERS_NKEYLEN];
	int	ret;

	if ((ret = users_nkey(hash_key, name, nkey)) != 0)
		return ret;
	ret = storage_del(txn, STORAGE_DB_USERS, nkey, sizeof(nkey));
	if (ret != 0 && ret != -ENOENT)
		return ret;
	if ((ret = rec_del(txn, STORAGE_DB_USERS, id)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_SESSION, id, nsess_out)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_API, id, napi_out)) != 0 ||
	    (ret = auth_revoke(txn, AUTH_SETPW, id, NULL)) != 0)
		return ret;
	return 0;
}
