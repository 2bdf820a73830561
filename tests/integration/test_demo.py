"""The --dev demo: what a newcomer sees on the first login. A city with
three areas and eight offices and workshops (one small office pooled into
its area), three surveys, and a year of history stored through core as
intake stores a response, the release rule in force."""
from palaute_test import Admin, Daemon, PalauteTestCase, main
from intake_support import verify


class Demo(PalauteTestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(history=True).start()
        cls.addClassCleanup(cls.d.cleanup)
        cls.admin = Admin(cls.d)

    def get(self, path):
        return self.admin.call("GET", path, status=200).json()

    def test_the_organisation_and_the_surveys(self):
        units = self.get("/api/v1/units")["units"]
        self.assertEqual(len(units), 12)
        roots = [u for u in units if u["parent"] is None]
        self.assertEqual(len(roots), 1)
        areas = [u for u in units if u["parent"] == roots[0]["id"]]
        self.assertEqual(len(areas), 3)
        self.assertEqual(len([u for u in units if u["pool"]]), 1)
        surveys = self.get("/api/v1/surveys")["surveys"]
        self.assertEqual(len(surveys), 3)
        out = "".join(self.d.stdout_lines)
        self.assertRegex(out, r"\d+ responses over the last 12 months")

    def test_the_city_has_a_year_of_released_results(self):
        doc = self.get("/api/v1/surveys/1/results?by=period")
        groups = doc["groups"]
        # The default range is the released year: twelve months.
        self.assertEqual(len(groups), 12, [g["from"] for g in groups])
        # Every past month shows; this one only what is released so far.
        self.assertTrue(all(g["n"] >= 50 for g in groups[:-1]), groups)
        visit = groups[-2]["questions"]["visit"]
        self.assertIsNotNone(visit["mean"])
        self.assertEqual(sum(visit["counts"]), visit["answered"])
        # Units side by side: every area has released something.
        by_unit = self.get("/api/v1/surveys/1/results?by=unit")["groups"]
        self.assertTrue(all(g["n"] > 0 for g in by_unit
                            if not g.get("own")), by_unit)
        # The staff and panel surveys too.
        for s in (2, 3):
            [g] = self.get("/api/v1/surveys/%d/results" % s)["groups"]
            self.assertGreater(g["n"], 0)

    def test_the_city_has_comments_in_three_languages(self):
        doc = self.get("/api/v1/surveys/1/comments")
        k = doc["k_comments"]
        self.assertGreaterEqual(doc["count"], k)
        self.assertEqual(doc["count"] % k, 0)   # whole steps only
        self.assertEqual({c["lang"] for c in doc["comments"]},
                         {"fi", "sv", "en"})

    def test_the_store_is_consistent(self):
        # Every record parses, every cell is what its records add up to,
        # and no released counter is above its live one.
        rc, fields, err = verify(self.d.state_dir)
        self.assertEqual(rc, 0, err)
        self.assertGreater(fields["responses"], 1000, fields)


if __name__ == "__main__":
    main()
