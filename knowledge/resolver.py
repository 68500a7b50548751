"""The resolver: from a person's own words to ranked NKZ 2017 groups, with a reason and a next step.

Public interface (the dialog, ``kasip classify`` and the vacancy coder rely on it)::

    resolver = get_resolver()
    result = resolver.resolve(title="электросварщик", duties="варю трубы на стройке")
    result.candidates[0].code    # "7212-2": the occupation group when it can be told, else the unit
    result.confident             # True when the first candidate can be given without asking
    result.question              # otherwise the one thing worth asking next
    result.rule                  # the methodology rule that decided, if one did

How it decides, in the order of the NKZ methodology:

1. a code typed directly is taken as it is;
2. the title and each clause of the duties are compared with every example
   title, group name and alias (:mod:`knowledge.index`); derivative words
   (главный, старший, зам…) are dropped unless the classifier has the exact
   title or the person manages people;
3. all the text is scored against what each occupation group does (BM25);
4. when clauses point to different groups, the seed's rules choose:
   highest skill level, then most time, then production first; the
   self-employed are not managers, and neither is anyone whose only link
   to a manager's group is the workplace in its name (no "директор",
   "заведующая", "басшы", no people led); the education a text names
   leans towards professionals or technicians;
5. the scores become probabilities; a clear winner is *confident*, otherwise
   the most useful question is chosen from how the candidates differ.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from knowledge import rules
from knowledge.codes import Level
from knowledge.index import Index, load_index, term_weight, word_terms
from knowledge.terms import CYRILLIC, analyze, from_latin_keyboard, is_known_russian, latin_terms
from knowledge.tree import NkzTree, load_tree
from knowledge.version import data_version

RESOLVER_VERSION = "1.2"
MAX_TEXT = 5000

TITLE_WEIGHT = 0.45
DUTIES_WEIGHT = 0.55
TEMPERATURE = 0.08
CONFIDENT_PROBABILITY = 0.82
EXACT = 0.98
CLAUSE_STRONG = 0.6
MAX_RULE_CLAUSES = 4
TITLE_LIKE_WORDS = 8
TITLE_LIKE_CLAUSES = 4
DUTY_CLAUSE_FLOOR = 0.7
RULE_POOL = 3
RULE_MARGIN = 0.8
MANAGER_BOOST = 1.15
UNKNOWN_WEIGHT = 3.0
SELF_EMPLOYED_FACTOR = 0.35
NOT_A_MANAGER_FACTOR = 0.7
EDUCATION_FACTOR = 1.15
MAJOR_VOTE = True
MAJOR_VOTE_MARGIN = 1.0
VOTE_LEVELS = (1,)
TYPO_SIMILARITY = 80


@dataclass(frozen=True)
class Candidate:
    code: str  # occupation group (e.g. 7212-2) when the evidence tells it apart, else the unit (7212)
    unit: str
    score: float  # probability-like, 0..1, over the candidates considered
    name_ru: str
    name_kz: str
    skill_level: int | None
    matched: tuple[str, ...] = ()  # the NKZ titles or aliases that matched best


@dataclass(frozen=True)
class Question:
    """The one thing to ask next when the resolver is not sure.

    kinds: ``manages_people`` (yes/no), ``hand_or_machine`` (hand/machine),
    ``plan_or_routine`` (plan/routine), ``design_or_carry_out``
    (design/carry_out), ``which_most_time`` (options are the clauses),
    ``shortlist`` (options are codes).
    """

    kind: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resolution:
    candidates: tuple[Candidate, ...]
    confident: bool
    question: Question | None = None
    rule: str | None = None
    notes: tuple[str, ...] = ()  # e.g. derivative words that were ignored
    version: str = field(default_factory=lambda: f"{data_version()}+resolver-{RESOLVER_VERSION}")


ANSWERS = {
    "manages_people": ("yes", "no"),
    "hand_or_machine": ("hand", "machine"),
    "plan_or_routine": ("plan", "routine"),
    "design_or_carry_out": ("design", "carry_out"),
}


class Resolver:
    """Resolution over one classifier tree and its search index."""

    def __init__(self, tree: NkzTree, index: Index):
        self.tree = tree
        self.index = index
        self._unit_of = {occ: unit for occ, unit in zip(index.occupations, index.units)}
        self._occupations_of: dict[str, list[str]] = defaultdict(list)
        for occ, unit in self._unit_of.items():
            self._occupations_of[unit].append(occ)
        self._typo_cache: dict[str, tuple[str, float] | None] = {}
        # Entry owners as small integers and norms as doubles, for the vectorised name matching.
        self._owner_codes: list[str] = list(dict.fromkeys(index.entry_owner))
        owner_id = {code: i for i, code in enumerate(self._owner_codes)}
        self._entry_owner_id = np.array([owner_id[code] for code in index.entry_owner], dtype=np.intp)
        self._entry_norm = np.frombuffer(index.entry_norm, dtype=np.float32).astype(np.float64)
        # Documents a name match speaks for: an occupation group's own, or all of its unit's.
        self._docs_of: dict[str, list[int]] = defaultdict(list)
        self._doc_array_of: dict[str, np.ndarray] = {}
        for doc, (occ, unit) in enumerate(zip(index.occupations, index.units)):
            self._docs_of[occ].append(doc)
            self._docs_of[unit].append(doc)
        self._doc_array_of = {code: np.array(docs, dtype=np.intp) for code, docs in self._docs_of.items()}

    # -- public ---------------------------------------------------------------

    def resolve(
        self,
        title: str = "",
        duties: str = "",
        lang: str | None = None,
        answers: Mapping[str, str] | None = None,
        limit: int = 5,
    ) -> Resolution:
        """Rank NKZ groups for what the person said; never raises on any text."""
        title = _clean(title)
        duties = _clean(duties)
        answers = dict(answers or {})
        text = f"{title} {duties}".strip()
        typed = self._typed_code(text)
        if typed is not None:
            return typed
        title, duties, self_lang = self._reading(title, duties, lang)
        text = f"{title} {duties}".strip()
        clauses = rules.clauses(title, duties)
        if not clauses or not any(analyze(c.text) for c in clauses):
            return self._fallback("Х5000" if not text else "Х4000")
        scorer = _Scoring(self, text, self_lang)
        for clause in clauses:
            scorer.add_clause(clause)
        scorer.finish(answers)
        return scorer.resolution(limit)

    # -- helpers used by _Scoring ------------------------------------------------

    def _reading(self, title: str, duties: str, lang: str | None) -> tuple[str, str, str | None]:
        """How to read Latin letters: English, Russian typed on a Latin keyboard, or Kazakh."""
        text = f"{title} {duties}"
        if any("\u0400" <= ch <= "\u04ff" for ch in text) or not any(ch.isalpha() for ch in text):
            return title, duties, None
        latin_words = [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) > 1]
        if latin_words:
            english = sum(1 for w in latin_words if latin_terms(w, english_only=True)[0] in self.index.english_terms)
            if lang == "en" or english >= 0.5 * len(latin_words):
                return title, duties, "en"
            if text.isascii():
                converted = (from_latin_keyboard(title), from_latin_keyboard(duties))
                words = [w for w in re.findall(r"[а-яё]+", " ".join(converted)) if len(w) >= 3]
                if words and sum(1 for w in words if is_known_russian(w)) >= 0.6 * len(words):
                    return converted[0], converted[1], "ru"
        return title, duties, None

    def _typed_code(self, text: str) -> Resolution | None:
        if not text or len(text) > 16 or not any(ch.isdigit() for ch in text):
            return None
        group = self.tree.lookup(text)
        if group is None or group.level < Level.UNIT:
            return None
        unit = group.unit or group.code
        code = group.parent if group.level is Level.TITLE and group.parent else group.code
        candidate = self._candidate(code, unit, 1.0, (group.name_ru,))
        return Resolution((candidate,), True, None, rules.CODE_TYPED)

    def _fallback(self, code: str) -> Resolution:
        group = self.tree.get(code)
        assert group is not None
        candidate = self._candidate(code, code, 0.0, ())
        return Resolution((candidate,), False, None, None)

    def _candidate(self, code: str, unit: str, score: float, matched: tuple[str, ...]) -> Candidate:
        group = self.tree.get(code) or self.tree.get(unit)
        assert group is not None
        return Candidate(
            code=group.code,
            unit=unit,
            score=round(score, 4),
            name_ru=group.name_ru,
            name_kz=group.name_kz,
            skill_level=group.skill_level.best,
            matched=matched,
        )

    def query_vector(self, text: str, keep_derivative: bool, lang: str | None = None) -> dict[str, float]:
        """Weighted terms of a piece of text; unknown words mapped to the nearest known one (typos).

        A word none of whose readings is known keeps a place (under the key
        ``?word``) so that "повор в кафе" is not read as just "кафе".
        """
        vector: dict[str, float] = {}
        for word in analyze(text, lang):
            if word.derivative and not keep_derivative:
                continue
            if self._add_corrected_word(vector, word, lang):
                continue
            known = 0
            for term in word_terms(word):
                similarity = 1.0
                if not self._knows(term):
                    fixed = self._nearest_term(term)
                    if fixed is None:
                        continue
                    term, similarity = fixed
                known += 1
                self._add_term(vector, term, similarity)
            if not known:
                vector[f"?{word.surface}"] = UNKNOWN_WEIGHT
        return vector

    def _knows(self, term: str) -> bool:
        return term in self.index.entry_postings or term in self.index.doc_postings

    def _add_term(self, vector: dict[str, float], term: str, similarity: float) -> None:
        index = self.index
        weight = index.idf.get(term, 1.0) * term_weight(term) * index.head_boost.get(term, 1.0) * similarity
        vector[term] = max(vector.get(term, 0.0), weight)

    def _add_corrected_word(self, vector: dict[str, float], word, lang: str | None) -> bool:
        """A word the index has never seen, read as the nearest word of the names ("медсистра" → "медсестра").

        Correcting the whole word, not one of its terms, lets the corrected
        word go through the full analysis again — abbreviations included, so
        "медсестра" becomes "медицинская сестра" as when typed right.
        False when the word is known, or nothing near enough was found
        (then the terms are corrected one by one).
        """
        if len(word.surface) < 5 or not CYRILLIC.search(word.surface) or any(self._knows(term) for term in word_terms(word)):
            return False  # English typos fare better corrected stem by stem ("electrition" → electr…)
        found = self._nearest(word.surface, self.index.words_by_initial, key=f"w:{word.surface}")
        if found is None:
            return False
        corrected, similarity = found
        added = False
        for other in analyze(corrected, lang):
            for term in word_terms(other):
                if self._knows(term):
                    self._add_term(vector, term, similarity)
                    added = True
        return added

    def _nearest_term(self, term: str) -> tuple[str, float] | None:
        if term.startswith(("~", "f:")) or len(term) < 5:
            return None
        return self._nearest(term, self.index.vocabulary_by_initial, key=term)

    def _nearest(self, text: str, buckets: dict[str, list[str]], key: str) -> tuple[str, float] | None:
        """The closest entry of *text*'s initial bucket (rapidfuzz ratio ≥ TYPO_SIMILARITY), cached under *key*."""
        if key in self._typo_cache:
            return self._typo_cache[key]
        bucket = buckets.get(text[0])
        found = process.extractOne(text, bucket, scorer=fuzz.ratio, score_cutoff=TYPO_SIMILARITY) if bucket else None
        if len(self._typo_cache) > 50_000:
            self._typo_cache.clear()
        self._typo_cache[key] = (found[0], found[1] / 100) if found else None
        return self._typo_cache[key]


class _Scoring:
    """The evidence for one resolution, gathered clause by clause."""

    def __init__(self, resolver: Resolver, text: str, lang: str | None = None):
        self.r = resolver
        self.text = text
        self.lang = lang
        self.manages = rules.manages_people(text)
        self.self_employed = rules.self_employed(text)
        self.title_occ: dict[str, float] = defaultdict(float)  # best name-match per occupation or unit code
        self.best_entry: dict[str, str] = {}
        self.clause_scores: list[tuple[rules.Clause, dict[str, float]]] = []
        self.notes: list[str] = []
        self.rule: str | None = None
        self.scores: dict[str, float] = {}  # whoever changes it sets _ranking to None
        self._ranking: list[tuple[str, float, str]] | None = None

    # -- evidence ------------------------------------------------------------------

    def add_clause(self, clause: rules.Clause) -> None:
        words = analyze(clause.text)
        duty_clauses = sum(1 for c, _ in self.clause_scores if not c.from_title)
        if not clause.from_title and (len(words) > TITLE_LIKE_WORDS or duty_clauses >= TITLE_LIKE_CLAUSES):
            # A long clause is never "nearly a title", and people name their job early, not in
            # the tenth line of a description: leave the rest to the duty scoring.
            self.clause_scores.append((clause, {}))
            return
        has_derivative = any(w.derivative for w in words)
        keep = self._match_entries(self.r.query_vector(clause.text, keep_derivative=True, lang=self.lang))
        use = keep
        if has_derivative:
            exact = max(keep.values(), default=0.0) >= EXACT
            if exact:
                self.rule = self.rule or rules.EXACT_TITLE
            elif self.manages:
                self.rule = self.rule or rules.DERIVATIVE_KEPT
            else:
                use = self._match_entries(self.r.query_vector(clause.text, keep_derivative=False, lang=self.lang))
                dropped = [w.surface for w in analyze(clause.text) if w.derivative]
                self.notes.append(f"{rules.DERIVATIVE_IGNORED}:{','.join(dropped)}")
                self.rule = self.rule or rules.DERIVATIVE_IGNORED
        per_clause: dict[str, float] = {}
        for code, score in use.items():
            per_clause[code] = score
            # A clause of the duties counts as a title only when it nearly is one ("я электросварщик");
            # "стою на кассе в магазине" must not become "директор магазина".
            evidence = score if clause.from_title else max(0.0, (score - DUTY_CLAUSE_FLOOR) / (1 - DUTY_CLAUSE_FLOOR))
            if evidence > self.title_occ[code]:
                self.title_occ[code] = evidence
        self.clause_scores.append((clause, per_clause))

    def _match_entries(self, query: dict[str, float]) -> dict[str, float]:
        """Best weighted-Dice match of the query with the entries of each code (occupation or unit).

        Vectorised: the dot products are one ``bincount`` over the postings of
        the query's terms; for each code, its best entry (the first one met,
        when several score the same) also gives the matched text.
        """
        if not query:
            return {}
        ids, products = self.r.index.entry_postings.gather(query)
        if not len(ids):
            return {}
        entries, first_seen, inverse = np.unique(ids, return_index=True, return_inverse=True)
        dots = np.bincount(inverse, weights=products)
        query_norm = sum(w * w for w in query.values())
        scores = 2 * dots / (query_norm + self.r._entry_norm[entries])
        owners = self.r._entry_owner_id[entries]
        keep = scores > 0
        entries, first_seen, scores, owners = entries[keep], first_seen[keep], scores[keep], owners[keep]
        # Per owner: the highest score, the earliest-met entry among equals; owners in the order first met.
        order = np.lexsort((first_seen, -scores, owners))
        owners_sorted = owners[order]
        starts = np.flatnonzero(np.r_[True, owners_sorted[1:] != owners_sorted[:-1]])  # each owner's first row
        owner_first = np.minimum.reduceat(first_seen[order], starts)
        heads = order[starts][np.argsort(owner_first, kind="stable")]
        codes = self.r._owner_codes
        texts = self.r.index.entry_text
        best: dict[str, float] = {}
        for owner, entry, score in zip(owners[heads].tolist(), entries[heads].tolist(), scores[heads].tolist()):
            code = codes[owner]
            best[code] = score
            self.best_entry[code] = texts[entry]
        return best

    def _duties_scores(self, text: str, keep_derivative: bool) -> np.ndarray:
        """BM25 of the text against each occupation document (by doc id), scaled so the best is 1."""
        query = self.r.query_vector(text, keep_derivative=keep_derivative, lang=self.lang)
        ids, impacts = self.r.index.doc_postings.gather(dict.fromkeys(query, 1.0))
        scores = np.bincount(ids, weights=impacts, minlength=len(self.r.index.occupations))
        top = scores.max() if len(scores) else 0.0
        return scores / top if top > 0 else np.zeros(len(self.r.index.occupations))

    # -- combining ---------------------------------------------------------------------

    def finish(self, answers: Mapping[str, str]) -> None:
        keep_derivative = self.rule in (rules.EXACT_TITLE, rules.DERIVATIVE_KEPT)
        duties = self._duties_scores(self.text, keep_derivative)
        for occ, score in self._combine(duties, self.title_occ).items():
            self.scores[occ] = score
        self._ranking = None
        self._apply_clause_rules(duties)
        self._apply_signals(answers)

    def _combine(self, duties: np.ndarray, titles: Mapping[str, float]) -> dict[str, float]:
        """Title and duty evidence per occupation group, for groups with any evidence at all (in doc order)."""
        title = np.zeros(len(duties))
        docs_of = self.r._doc_array_of
        found = [(docs, value) for docs, value in ((docs_of.get(code), value) for code, value in titles.items())
                 if docs is not None and value > 0]
        if found:  # each code's value on all its documents, the highest where codes share one
            np.maximum.at(title, np.concatenate([docs for docs, _ in found]),
                          np.repeat([value for _, value in found], [len(docs) for docs, _ in found]))
        combined = TITLE_WEIGHT * title + DUTIES_WEIGHT * duties
        docs = np.flatnonzero(combined > 0)
        occupations = self.r.index.occupations
        return {occupations[doc]: score for doc, score in zip(docs.tolist(), combined[docs].tolist())}

    def _unit_ranking(self) -> list[tuple[str, float, str]]:
        """(unit, score, best occupation group) best first; computed again only after the scores change."""
        if self._ranking is not None:
            return self._ranking
        best: dict[str, tuple[float, str]] = {}
        unit_of = self.r._unit_of
        for occ, score in self.scores.items():
            unit = unit_of[occ]
            held = best.get(unit)
            if held is None or score > held[0]:
                best[unit] = (score, occ)
        ordered = sorted((-score, unit, occ) for unit, (score, occ) in best.items())  # units are unique: occ never decides
        self._ranking = [(unit, -negative, occ) for negative, unit, occ in ordered]
        return self._ranking

    def _apply_clause_rules(self, duties: np.ndarray) -> None:
        """Highest skill level, most time, production first — when clauses point to different groups."""
        duty_clauses = [(c, s) for c, s in self.clause_scores if not c.from_title]
        if not 2 <= len(duty_clauses) <= MAX_RULE_CLAUSES:
            # One duty has nothing to weigh; a long story (a vacancy text) is better read as a whole.
            return
        tops: list[tuple[rules.Clause, str, float]] = []
        for clause, title_scores in duty_clauses:
            # What this clause alone says: its title-like matches and its own BM25 over the groups.
            clause_duties = self._duties_scores(clause.text, keep_derivative=False)
            unit_scores: dict[str, float] = {}
            for occ, score in self._combine(clause_duties, title_scores).items():
                unit = self.r._unit_of[occ]
                if score > unit_scores.get(unit, 0.0):
                    unit_scores[unit] = score
            if unit_scores:
                unit, score = max(unit_scores.items(), key=lambda item: item[1])
                if score >= CLAUSE_STRONG:
                    tops.append((clause, unit, score))
        # Only groups the whole text also supports may be chosen by a rule: the rules decide
        # between close competitors, they do not bring in a group from one stray clause.
        ranking = self._unit_ranking()
        best_score = ranking[0][1] if ranking else 0.0
        plausible = {unit for unit, score, _ in ranking[:RULE_POOL] if score >= RULE_MARGIN * best_score}
        tops = [t for t in tops if t[1] in plausible]
        units = {unit for _, unit, _ in tops}
        if len(units) < 2:
            return
        skill = {u: (self.r.tree.get(u).skill_level.best or 0) for u in units}
        shares = [c.share for c, _, _ in tops if c.share is not None]
        chosen: str | None = None
        if len(set(skill.values())) > 1:
            chosen, self.rule = max(units, key=lambda u: (skill[u], u)), rules.HIGHEST_SKILL
        elif shares:
            clause, chosen, _ = max(tops, key=lambda t: (t[0].share or 0.0, t[2]))
            self.rule = rules.MOST_TIME
        elif any(rules.is_production(u) for u in units) and any(rules.is_selling_or_transport(u) for u in units):
            chosen = next(u for _, u, _ in sorted(tops, key=lambda t: -t[2]) if rules.is_production(u))
            self.rule = rules.PRODUCTION_FIRST
        if chosen is not None:
            self._lift(chosen)

    def _lift(self, unit: str) -> None:
        """Put *unit* on top, keeping the order of the rest."""
        top = max(self.scores.values(), default=0.0)
        occs = [o for o in self.r._occupations_of[unit] if o in self.scores] or self.r._occupations_of[unit][:1]
        best = max(occs, key=lambda o: self.scores.get(o, 0.0))
        self.scores[best] = top + 0.05
        self._ranking = None

    def _apply_signals(self, answers: Mapping[str, str]) -> None:
        before = self._unit_ranking()[:1]
        factors: dict[str, float] = {}
        if self.self_employed and not self.manages:
            factors["1"] = SELF_EMPLOYED_FACTOR
        elif self.manages:
            factors["1"] = MANAGER_BOOST
        elif self.rule != rules.EXACT_TITLE and not rules.names_a_manager(self.text):
            factors["1"] = NOT_A_MANAGER_FACTOR  # an official title ("главный бухгалтер") keeps NKZ's own placement
        education = rules.education_asked(self.text)
        if education is not None:
            factors["2"], factors["3"] = (
                (EDUCATION_FACTOR, 1 / EDUCATION_FACTOR) if education == "higher" else (1 / EDUCATION_FACTOR, EDUCATION_FACTOR)
            )
        answer = answers.get("manages_people")
        if answer == "yes":
            factors["1"] = 1.25
        elif answer == "no":
            factors["1"] = 0.6
        answer = answers.get("hand_or_machine")
        if answer in ("hand", "machine"):
            factors["7"], factors["8"] = (1.2, 0.8) if answer == "hand" else (0.8, 1.2)
        answer = answers.get("plan_or_routine")
        if answer in ("plan", "routine"):
            factors["6"], factors["92"] = (1.2, 0.8) if answer == "plan" else (0.8, 1.2)
        answer = answers.get("design_or_carry_out")
        if answer in ("design", "carry_out"):
            factors["2"], factors["3"] = (1.2, 0.85) if answer == "design" else (0.85, 1.2)
        if factors:
            for occ in list(self.scores):
                for prefix, factor in factors.items():
                    if occ.startswith(prefix):
                        self.scores[occ] *= factor
            self._ranking = None
        choice = answers.get("which_most_time")
        if choice is not None and choice.isdigit() and int(choice) < len(self.clause_scores):
            _, scores = self.clause_scores[int(choice)]
            if scores:
                self._lift(max(scores.items(), key=lambda item: item[1])[0].split("-")[0])
                self.rule = rules.MOST_TIME
        after = self._unit_ranking()[:1]
        if self.self_employed and before and after and before[0][0] != after[0][0] and before[0][0].startswith("1"):
            self.rule = rules.SELF_EMPLOYED
        if any(answers.get(kind) for kind in ANSWERS) and before != after:
            self.rule = self.rule or rules.ANSWER

    # -- result ------------------------------------------------------------------------

    def resolution(self, limit: int) -> Resolution:
        ranking = self._unit_ranking()
        if not ranking:
            return self.r._fallback("Х4000")
        considered = ranking[:10]
        exps = [math.exp((s - considered[0][1]) / TEMPERATURE) for _, s, _ in considered]
        total = sum(exps)
        probabilities = [e / total for e in exps]
        if MAJOR_VOTE:
            ranking, probabilities = _major_vote(ranking, probabilities)
        candidates = []
        for (unit, score, occ), probability in zip(ranking[: max(limit, 5)], probabilities + [0.0] * 10):
            code = self._deepest_code(unit, occ)
            matched = tuple(t for t in (self.best_entry.get(occ), self.best_entry.get(unit)) if t)
            candidates.append(self.r._candidate(code, unit, probability, matched[:1]))
        confident = probabilities[0] >= CONFIDENT_PROBABILITY and ranking[0][1] >= 0.35
        question = None if confident else self._question(ranking)
        return Resolution(tuple(candidates), confident, question, self.rule, tuple(self.notes))

    def _deepest_code(self, unit: str, occ: str) -> str:
        """The occupation group when it stands out within its unit, else the unit itself."""
        siblings = sorted((self.scores.get(o, 0.0) for o in self.r._occupations_of[unit]), reverse=True)
        if len(siblings) == 1 or siblings[0] - siblings[1] >= 0.03:
            return occ
        return unit

    def _question(self, ranking: list[tuple[str, float, str]]) -> Question:
        top = [u for u, s, _ in ranking[:4] if s >= 0.6 * ranking[0][1]]
        majors = {u[0] for u in top}
        if "1" in majors and len(majors) > 1:
            return Question("manages_people", ANSWERS["manages_people"])
        if "7" in majors and "8" in majors:
            return Question("hand_or_machine", ANSWERS["hand_or_machine"])
        if "6" in majors and any(u.startswith("92") for u in top):
            return Question("plan_or_routine", ANSWERS["plan_or_routine"])
        if "2" in majors and "3" in majors:
            return Question("design_or_carry_out", ANSWERS["design_or_carry_out"])
        duty_clauses = [(i, c) for i, (c, s) in enumerate(self.clause_scores) if not c.from_title and s]
        if len(duty_clauses) >= 2:
            tops = {}
            for i, _ in duty_clauses:
                scores = self.clause_scores[i][1]
                tops[i] = max(scores.items(), key=lambda item: item[1])[0].split("-")[0]
            if len(set(tops.values())) >= 2 and set(tops.values()) & set(top[:2]):
                return Question("which_most_time", tuple(str(i) for i in tops))
        shortlist: list[str] = []
        per_unit: dict[str, int] = defaultdict(int)
        for unit, _, occ in ranking:
            code = self._deepest_code(unit, occ)
            if per_unit[unit] < 2:
                shortlist.append(code)
                per_unit[unit] += 1
            if len(shortlist) == 5:
                break
        return Question("shortlist", tuple(shortlist))


def _major_vote(ranking: list, probabilities: list[float]) -> tuple[list, list[float]]:
    """Decide the major group by the mass of all its candidates, then the best unit inside it.

    When the evidence is spread ("электрик": shop electricians 3121, building
    electricians 7411, 7412, 7413), the broad group most candidates agree on
    is a safer first answer than the single best-scoring unit.  The same
    vote then runs one level down (sub-major group) inside the chosen major.
    """
    considered = len(probabilities)  # the rest have no probability and no vote
    probabilities = probabilities + [0.0] * (len(ranking) - len(probabilities))
    for digits in VOTE_LEVELS:
        prefix = ranking[0][0][: digits - 1] if digits > 1 else ""
        mass: dict[str, float] = defaultdict(float)
        for (unit, _, _), probability in zip(ranking[:considered], probabilities):
            if unit.startswith(prefix):
                mass[unit[:digits]] += probability
        best = max(mass, key=mass.get)
        top = ranking[0][0][:digits]
        if best == top or mass[best] < MAJOR_VOTE_MARGIN * mass[top]:
            continue
        index = next(i for i, (unit, _, _) in enumerate(ranking) if unit[:digits] == best)
        order = [index] + [i for i in range(len(ranking)) if i != index]
        ranking, probabilities = [ranking[i] for i in order], [probabilities[i] for i in order]
    return ranking, probabilities


_LINE_BREAKS = {ord("\n"): None, ord("\t"): None}


def _clean(text: str | None) -> str:
    """Drop control characters and cut to a sane length; never fails."""
    if not text:
        return ""
    text = str(text)[: MAX_TEXT * 2]
    if text.translate(_LINE_BREAKS).isprintable():
        kept = text
    else:
        kept = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return re.sub(r"[ \t]+", " ", kept).strip()[:MAX_TEXT]


@lru_cache(maxsize=1)
def get_resolver() -> Resolver:
    """The resolver over the committed data, built or loaded once per process."""
    return Resolver(load_tree(), load_index())
