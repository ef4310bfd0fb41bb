"""Principles that keep two labels apart whatever their scores say: applied before any score.

Two labels that differ by any of these are never merged (the cascade, the codebook matcher):

- negation: a negating prefix before the same word ("typical"/"atypical", "resectable"/
  "unresectable", "operable"/"inoperable", "continued"/"discontinued", "no"/"non"/"not" + word),
  and a leading N on an otherwise equal acronym ("NSCLC"/"SCLC");
- opposing prefix or suffix on the same stem: hyper/hypo/normo, tachy/brady, micro/macro,
  pre/post/intra, in/out, supra/infra/sub, uni/bi, ipsi/contra, anti, a leading S on an acronym
  ("SVT"/"VT"), -cytosis/-penia, -itis/-osis/-ectomy/-ostomy...;
- opposing words, both labels holding a different one of a set: positive/negative, left/right/
  bilateral, high/low/normal, mild/moderate/severe, superior/inferior, in situ/invasive...;
- numbers, grades, stages and doses: the sequence of numbers (Roman numerals already read as
  numbers by matching/normalize.py), their units and the code letters beside them must agree
  ("stage II" = "stage 2"; "stage II" != "stage III"; "5 mg" != "10 mg" != "5 mcg");
- acronyms that differ in any letter ("HFrEF"/"HFpEF", "CR"/"PR") unless the abbreviation list
  expands them to the same thing ("IDDM"/"T1DM").

The word lists below define the principles' vocabulary (prefixes, suffixes, units, opposing
sets); matching/abbreviations.py may add domain words, never take a principle away. Labels whose
canonical texts are equal are never blocked: the lists say they are one thing.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from matching import abbreviations as ab
from matching.normalize import NUMBER_WORDS, Canon, canonical

NOT = "not"
# A negating prefix glued to a word -> one tag, with the shortest stem it may leave.
NEGATIONS = (
    ("non", 3), ("un", 4), ("in", 4), ("im", 4), ("ir", 4), ("il", 4), ("dis", 4), ("ab", 5),
    ("an", 5), ("a", 5),
)  # fmt: skip
# Opposing prefixes: each is its own tag; a word with one and the same word without differ.
OPPOSING_PREFIXES = (
    "hyper", "hypo", "normo", "eu", "dys", "tachy", "brady", "micro", "macro", "pre", "post",
    "intra", "peri", "ante", "supra", "infra", "sub", "inter", "extra", "trans", "ipsi",
    "contra", "uni", "bi", "multi", "mono", "poly", "hetero", "homo", "over", "under", "out",
    "anti",
)  # fmt: skip
SAME_PREFIX = {"ante": "pre"}  # antenatal is prenatal
# Written as a word of its own before the word it qualifies: "pre op", "non small", "in patient".
STANDALONE = frozenset({"not", "no", "non", "anti", "in", "out", *OPPOSING_PREFIXES} - {"bi"})
# Suffixes that change what a stem means: leukocytosis/leukopenia, colectomy/colostomy.
SUFFIXES = (
    ("cytopenia", "few"), ("penia", "few"), ("cytosis", "many"), ("philia", "many"),
    ("itis", "itis"), ("osis", "osis"), ("oma", "oma"), ("ectomy", "ectomy"),
    ("ostomy", "ostomy"), ("otomy", "otomy"), ("oscopy", "oscopy"), ("oplasty", "oplasty"),
    ("opexy", "opexy"), ("orrhaphy", "orrhaphy"), ("algia", "algia"), ("pathy", "pathy"),
)  # fmt: skip
# Sets of words of which two labels may hold only the same one.
OPPOSING_WORDS = (
    ("positive", "negative"),
    ("left", "right", "bilateral", "unilateral"),
    ("high", "low", "normal"),
    ("mild", "moderate", "severe", "critical"),
    ("pre", "post", "intra", "peri"),
    ("in", "out"),
    ("inpatient", "outpatient"),
    ("superior", "inferior", "anterior", "posterior", "medial", "lateral"),
    ("upper", "lower"),
    ("proximal", "distal"),
    ("internal", "external"),
    ("early", "late"),
    ("acute", "subacute", "chronic"),
    ("benign", "malignant", "borderline"),
    ("complete", "partial"),
    ("primary", "secondary"),
    ("major", "minor"),
    ("situ", "invasive"),
    ("small", "large"),
    ("male", "female"),
    ("alive", "died"),
    ("yes", NOT),
    ("deficient", "proficient"),  # dMMR / pMMR
    ("preserved", "reduced"),  # HFpEF / HFrEF
)
UNITS = {
    "mg": "mg", "mcg": "mcg", "g": "g", "kg": "kg", "ng": "ng", "ml": "ml", "l": "l",
    "iu": "unit", "unit": "unit", "mmol": "mmol", "umol": "umol", "mol": "mol", "meq": "meq",
    "percent": "%", "h": "hour", "hr": "hour", "hour": "hour", "d": "day", "day": "day",
    "daily": "day", "wk": "week", "week": "week", "month": "month", "year": "year",
    "yr": "year", "min": "minute", "minute": "minute", "m2": "m2", "mm": "mm", "cm": "cm",
    "mmhg": "mmhg", "dl": "dl",
}  # fmt: skip
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
# A stage or grade written in Roman numerals that normalize.py left as it was ("IB", "IIIA").
_ROMAN_CODE = re.compile(r"^(i{1,3}|iv|vi{0,3}|ix|x{1,3})([a-e])?\d?$")
_TOKEN = re.compile(r"[A-Za-z0-9]+")
_VOWELS = frozenset("aeiouy")
_DOSE = re.compile(r"^\d+(\.\d+)?[a-z]+$")
STEM_LETTERS = 5


def _plain_words() -> frozenset[str]:
    """Ordinary words the lists know: never taken for an acronym, however they are typed."""
    words = set(ab.GUARD_WORDS) | set(ab.FILLERS) | set(NUMBER_WORDS) | set(UNITS)
    for text in [*ab.TOKENS.values(), *ab.PHRASES, *ab.PHRASES.values(), *ab.WHOLE_LABELS]:
        words.update(text.split())
    words.update(ab.WHOLE_LABELS.values())
    for members in OPPOSING_WORDS:
        words.update(members)
    words.update(STANDALONE)
    # Word abbreviations ("pos", "neg", "sev") stand for one word; acronyms for several.
    words.update(k for k, v in ab.TOKENS.items() if " " not in v and set(k) & _VOWELS)
    return frozenset(words)


PLAIN = _plain_words()
_CLASS_OF = {w: i for i, members in enumerate(OPPOSING_WORDS) for w in members}


@dataclass(frozen=True)
class Parsed:
    """What the principles read from one label (or one node of labels sharing a canonical)."""

    text: str
    codes: tuple[str, ...]  # numbers with their units, and code letters, in order
    acronyms: frozenset[str]
    forms: frozenset[tuple[str, str, str]]  # ("p" or "s", stem, prefix or suffix tag)
    classes: tuple[tuple[int, frozenset[str]], ...]  # opposing set -> the members present


def raw_tokens(label: str) -> list[str]:
    """The label's letters-and-digits runs as typed (case kept, accents removed)."""
    decomposed = unicodedata.normalize("NFKD", str(label))
    return _TOKEN.findall("".join(c for c in decomposed if not unicodedata.combining(c)))


def is_acronym(token: str, shouting: bool) -> bool:
    """'NSCLC', 'HFrEF', 'dMMR', 'HER2', 'sclc' (no vowel): not 'Male', 'LOW' or '10mg'."""
    low = token.lower()
    letters = sum(c.isalpha() for c in token)
    if letters < 2 or len(token) > 10 or low in PLAIN or _ROMAN_CODE.match(low):
        return False
    if _DOSE.match(low) and low.lstrip("0123456789.") in UNITS:
        return False
    if any(c.isdigit() for c in token) or not set(low) & _VOWELS:
        return True
    upper = sum(c.isupper() for c in token)
    if upper >= 2 and not token.isupper():
        return True  # HFrEF, HBsAg, IgG, dMMR
    # In a label typed all in capitals a word is shouting ('RIGHT SIDE', 'ASIAN'), unless the
    # abbreviation list knows it or it is three letters at most ('ASA III').
    return token.isupper() and (not shouting or letters <= 3 or low in ab.TOKENS)


def codes(words: Sequence[str]) -> tuple[str, ...]:
    """Numbers with the units after them ('#5 mg/day'), lone letters and Roman stage codes."""
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if _NUMBER.match(word):
            value = float(word)
            key = "#" + (str(int(value)) if value.is_integer() else repr(value))
            units, i = [], i + 1
            while i < len(words) and (words[i] in UNITS or words[i] == "per"):
                if words[i] != "per":
                    units.append(UNITS[words[i]])
                i += 1
            out.append(key + (" " + "/".join(units) if units else ""))
            continue
        if (len(word) == 1 and word.isalpha()) or _ROMAN_CODE.match(word):
            out.append(word)
        i += 1
    return tuple(out)


def _stem(text: str) -> str:
    """Stems compare by their first letters: 'hyper-tension' and 'hypo-tensive' share one."""
    return text[:STEM_LETTERS]


def _word_forms(word: str, tag: str | None) -> set[tuple[str, str, str]]:
    """(kind, stem, tag) of one word: itself, its prefix splits, its suffix splits."""
    if tag is not None:  # the standalone prefix before it qualifies it
        return {("p", _stem(word), tag)}
    out = {("p", _stem(word), "")}
    for prefix, shortest in NEGATIONS:
        if word.startswith(prefix) and len(word) - len(prefix) >= shortest and _fits(prefix, word):
            out.add(("p", _stem(word[len(prefix) :]), NOT))
    for prefix in OPPOSING_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            out.add(("p", _stem(word[len(prefix) :]), SAME_PREFIX.get(prefix, prefix)))
    if len(word) <= 6 and word not in PLAIN and word[:1] in "ns" and len(word) >= 3:
        out.add(("p", word[1:], NOT if word[0] == "n" else "s"))  # NSCLC/SCLC, SVT/VT
    for suffix, meaning in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.add(("s", word[: -len(suffix)], meaning))
    return out


def _fits(prefix: str, word: str) -> bool:
    """a- goes before a consonant, an- before a vowel (atypical, anaerobic): 'aanemia' is a
    typo of 'anemia', not its negation."""
    if prefix in ("a", "an"):
        return (word[len(prefix)] in _VOWELS) == (prefix == "an")
    return True


def words_oppose(x: str, y: str) -> bool:
    """Two single words that a prefix or suffix principle keeps apart ('hypotensive' is not a
    typo of 'hypertensive'); used by the typo corrector before it rewrites a word."""
    index: dict[tuple[str, str], set[str]] = defaultdict(set)
    for kind, stem, tag in _word_forms(x, None):
        index[(kind, stem)].add(tag)
    other: dict[tuple[str, str], set[str]] = defaultdict(set)
    for kind, stem, tag in _word_forms(y, None):
        other[(kind, stem)].add(tag)
    return any(other[key] != tags for key, tags in index.items() if key in other)


def forms(words: Sequence[str]) -> set[tuple[str, str, str]]:
    """Every word's forms. A standalone negation ('not', 'no', 'non') covers every word after
    it ('no surgical site infection'); another prefix word ('pre', 'in') tags the next word."""
    out: set[tuple[str, str, str]] = set()
    pending: str | None = None
    negated = False
    for word in words:
        if word in (NOT, "no", "non") and pending is None:
            negated = True
            continue
        if word in STANDALONE and pending is None:
            pending = NOT if word == "in" else SAME_PREFIX.get(word, word)
            continue
        if word.isalpha():
            out |= _word_forms(word, pending or (NOT if negated else None))
        pending = None
    if pending is not None or (negated and not out):
        out.add(("p", "", pending or NOT))
    return out


@functools.lru_cache(maxsize=8192)
def _class_word(word: str) -> str:
    """The opposing-set word a word is: itself, its adjective ('critically'), or the set word
    it misspells by one letter or one swap ('bordelrine'), never one it opposes."""
    if word in _CLASS_OF or len(word) < 6 or not word.isalpha():
        return word
    if word.removesuffix("ly") in _CLASS_OF:
        return word.removesuffix("ly")
    near = [w for w in _CLASS_OF if len(w) >= 6 and OSA.distance(word, w) <= 1]
    return near[0] if len(near) == 1 and not words_oppose(word, near[0]) else word


@functools.lru_cache(maxsize=8192)
def _raw_features(label: str) -> tuple[frozenset[str], frozenset[tuple[str, str, str]]]:
    tokens = raw_tokens(label)
    # All capitals across several words is shouting; one word in capitals may be an acronym.
    shouting = not any(c.islower() for c in label) and sum(t.isalpha() for t in tokens) > 1
    acronyms = frozenset(t.lower() for t in tokens if is_acronym(t, shouting))
    return acronyms, frozenset(forms([t.lower() for t in tokens]))


def parse(labels: Sequence[str], canon: Canon, expand: bool = True) -> Parsed:
    """The principles' view of labels that share one canonical form (raw features pooled).

    Acronyms are kept as the abbreviation list expands them (expand=False: as typed), so two
    that the list makes the same thing ('IDDM', 'T1DM') are one acronym here."""
    words = canon.text.split()
    acronyms: set[str] = set()
    found = set(forms(words))
    for label in labels:
        a, f = _raw_features(label)
        acronyms |= a
        found |= f
    present: dict[int, set[str]] = defaultdict(set)
    for word in words:  # canonical words: a phrase the lists rewrote keeps none of its own
        word = _class_word(word)
        if word in _CLASS_OF:
            present[_CLASS_OF[word]].add(word)
    classes = tuple(sorted((k, frozenset(v)) for k, v in present.items()))
    expanded = frozenset(canonical(a, expand).text for a in acronyms)
    return Parsed(canon.text, codes(words), expanded, frozenset(found), classes)


def parse_label(label: str, expand: bool = True) -> Parsed:
    """One label as the label cascade reads it."""
    return parse((label,), canonical(label, expand), expand)
