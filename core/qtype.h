/*
 * qtype.h — the question types of DESIGN.md section 4 and how an answer of
 * each type maps onto the slots of an aggregate histogram. Shared by the
 * answer checker (which fills slots) and the statistics (which read them);
 * the table of each type's parser, checker and output is qtype.c.
 */
#ifndef PALAUTE_CORE_QTYPE_H
#define PALAUTE_CORE_QTYPE_H

enum qtype {
	QTYPE_SMILEY,	/* 1..faces (faces 5, or 4); slot = value - 1 */
	QTYPE_SCALE,	/* min..max, at most 11 steps; slot = value - min */
	QTYPE_NPS,	/* 0..10; slot = value */
	QTYPE_CHOICE,	/* one option; slot = option index */
	QTYPE_MULTI,	/* set of options; one slot per option chosen */
	QTYPE_YESNO,	/* slot 0 = no, slot 1 = yes */
	QTYPE_TEXT,	/* one slot: number of comments (never per person) */
	QTYPE_COUNT
};

#define QTYPE_MAX_SLOTS	64	/* a choice/multi has at most 64 options */

/* The name of a question type ("smiley", ...), as definitions spell it. */
const char	*qtype_name(enum qtype t);

#endif /* PALAUTE_CORE_QTYPE_H */
