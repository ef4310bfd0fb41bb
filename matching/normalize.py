"""Step 1 of the cascade: a label's canonical text and its guard keys.

The canonical text folds case, accents, punctuation, spacing, British spelling, numerals and
clinical abbreviations, so "Type II DM", "T2DM" and "type 2 diabetes mellitus" become one
string. The guard keys are what must agree for two labels to mean the same: numbers, lone
letters (Hepatitis B/C, blood group A/AB), signs, sides, timing, negation and the like.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from matching import abbreviations as ab

_DASHES = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u2010": "-", "\u00b1": "+"})
# A sign closing a token: "A+", "Rh-", "HBsAg +"; not the hyphen inside "pre-op" or "2-3".
_PLUS = re.compile(r"(?<=[a-z0-9)])\s*\+(?=\s|$|[,;/)])|(?<=^)\+(?=\s|$)")
_MINUS = re.compile(r"(?<=[a-z0-9)])\s*-(?=\s*$|\s*[,;/)])")  # "Rh-", "HER2-", "HER2 -"
_VE = re.compile(r"([+-])\s*ve\b")
_ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
_NON_WORD = re.compile(r"[^a-z0-9.]+")
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_DOTTED = re.compile(r"\b((?:[a-z]\.){2,}[a-z]?)")  # "c.o.p.d.", "i.v.": one acronym
# A Roman stage with a sub-stage letter and digit: "IIIA" is 3 a, "IB1" is 1 b 1.
_ROMAN_SUB = re.compile(r"^(i{1,3}|iv|vi{0,3}|ix|x)([a-e])(\d?)$")
_ROMAN_LABEL = re.compile(r"^(I{1,3}|IV|VI{0,3}|IX|X)[A-Ea-e]\d?$")  # typed as a stage

GUARD_TYPO_SCORE = 85.0  # 'posiive' is 'positive'; 'moderately' is 'moderate'
TYPO_SCORE = 85.0  # 'posotperative' is 'postoperative' (one swap in a long word)
NUMBER_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "first": "1",
    "second": "2",
    "third": "3",
    "fourth": "4",
    "single": "1",
    "double": "2",
}
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7"}
ROMAN = {**ROMAN, "viii": "8", "ix": "9", "x": "10"}
# After these words a roman numeral is a number even when it is a single letter ("Type I").
NUMBERED = frozenset(
    [
        "type",
        "stage",
        "grade",
        "class",
        "asa",
        "nyha",
        "phase",
        "tier",
        "level",
        "cin",
        "gold",
        "ckd",
        "figo",
    ]
)
# British -> American spellings, applied inside words of five letters or more.
SPELLING = (
    (re.compile(r"ae"), "e"),  # anaemia, haemorrhage, paediatric, caesarean
    (re.compile(r"oe"), "e"),  # oedema, oesophagus, diarrhoea, coeliac
    (re.compile(r"(?<=[a-z]{3})our$"), "or"),  # tumour, colour
    (re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation)$"), r"iz\1"),  # randomised, immunisation
    (re.compile(r"(?<=[a-z]{2})tre$"), "ter"),  # centre, litre
    (re.compile(r"sulph"), "sulf"),
    (re.compile(r"^leuc"), "leuk"),  # leucocytosis, leucopenia
)


@dataclass(frozen=True)
class Canon:
    """A label's comparison form: canonical text and the guard keys that must agree."""

    text: str
    keys: frozenset[str]


def fold(label: str) -> str:
    """Lower case, accents removed, one kind of dash, single spaces."""
    decomposed = unicodedata.normalize("NFKD", str(label).translate(_DASHES))
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(ascii_text.lower().split())


def _signs(text: str) -> str:
    text = _VE.sub(lambda m: " positive " if m.group(1) == "+" else " negative ", text)
    text = _PLUS.sub(" positive ", text)
    return _MINUS.sub(" negative ", text)


def _spell(word: str) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    for pattern, repl in SPELLING:
        word = pattern.sub(repl, word)
    return word


def _stem(word: str) -> str:
    """Plural to singular for ordinary words: 'complications' -> 'complication'."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "is", "us")):
        return word[:-1]
    return word


def _expand(words: list[str], tokens: dict[str, str]) -> list[str]:
    """Roman numerals after numbering words, then abbreviations, then digit/letter splits."""
    out: list[str] = []
    for i, word in enumerate(words):
        previous = words[i - 1] if i else ""
        if word in ROMAN and (previous in NUMBERED or (word not in ("i", "v", "x", "iv"))):
            out.append(ROMAN[word])
        elif previous in NUMBERED and (sub := _ROMAN_SUB.match(word)):
            out.extend(p for p in (ROMAN[sub.group(1)], sub.group(2), sub.group(3)) if p)
        elif word in tokens:
            out.extend(tokens[word].split())
        elif tokens and (known := _known_spelling(word)) is not None:
            out.extend(tokens.get(known, known).split())
        elif tokens and word.startswith("non") and len(word) >= 7 and word[3:].isalpha():
            out.extend(["not", *tokens.get(word[3:], word[3:]).split()])  # nonsmoker
        else:
            for part in _LETTER_DIGIT.sub(" ", word).split():
                out.extend(tokens.get(part, NUMBER_WORDS.get(part, part)).split())
    return [NUMBER_WORDS.get(w, w) for w in out]


@functools.lru_cache(maxsize=4096)
def _known_spelling(word: str) -> str | None:
    """A misspelt abbreviation-list word ('posotperative', 'expred') as that word, else None.

    A guard word is a word in its own right, never a typo: 'decreased' is not 'deceased'."""
    if len(word) < 6 or not word.isalpha() or word in ab.GUARD_WORDS:
        return None
    found = process.extractOne(word, _VOCABULARY, scorer=fuzz.ratio, score_cutoff=TYPO_SCORE)
    return found[0] if found and not _opposed(word, found[0]) else None


# The list's single words, and the words of its phrases ('not recoded' is 'not recorded').
_VOCABULARY = sorted(
    {w for w in ab.TOKENS if len(w) >= 6 and w.isalpha()}
    | {w for phrase in ab.PHRASES for w in phrase.split() if len(w) >= 6 and w.isalpha()}
)


def _phrases(text: str, expand: bool) -> str:
    for phrase in _PHRASE_ORDER if expand else ():
        if phrase in text:
            text = re.sub(rf"\b{re.escape(phrase)}\b", ab.PHRASES[phrase], text)
    return text


_PHRASE_ORDER = sorted(ab.PHRASES, key=len, reverse=True)


def _number_key(word: str) -> str:
    value = float(word)
    return str(int(value)) if value.is_integer() else repr(value)


@functools.lru_cache(maxsize=4096)
def _guard_spelling(word: str) -> str:
    """A misspelt guard word ('posiive', 'negtaive') as the guard word; others unchanged."""
    if len(word) < 5 or word in ab.GUARD_WORDS or not word.isalpha():
        return word
    found = process.extractOne(word, _GUARDS, scorer=fuzz.ratio, score_cutoff=GUARD_TYPO_SCORE)
    return found[0] if found and not _opposed(word, found[0]) else word


def _opposed(word: str, correction: str) -> bool:
    """A typo correction the principles forbid: 'hypotensive' is not 'hypertensive' misspelt."""
    from matching.opposites import words_oppose  # opposites reads canonical(): import late

    return words_oppose(word, correction)


_GUARDS = sorted(w for w in ab.GUARD_WORDS if len(w) >= 5)


def guard_keys(words: list[str]) -> frozenset[str]:
    """Numbers, lone letters, guard words and hyper/hypo: what must agree between two labels."""
    keys = set()
    for word in words:
        if _NUMBER.match(word):
            keys.add("#" + _number_key(word))
        elif len(word) == 1 or word in ab.GUARD_WORDS:
            keys.add(word)
        else:
            keys.update(p for p in ab.GUARD_PREFIXES if word.startswith(p))
    return frozenset(keys)


@functools.lru_cache(maxsize=8192)
def canonical(label: str, expand: bool = True) -> Canon:
    """The comparison form of one label (cached: columns repeat the same labels).

    expand=False leaves out the abbreviation and synonym lists (to measure what they add).
    """
    whole = ab.WHOLE_LABELS if expand else {}
    text = _ORDINAL.sub(r"\1", _signs(fold(label)))
    text = _DOTTED.sub(lambda m: m.group(1).replace(".", ""), text)
    squeezed = " ".join(_NON_WORD.sub(" ", text).split())
    if squeezed in whole or text in whole:
        text = whole.get(squeezed) or whole[text]
    elif squeezed in ROMAN:  # "IV" alone in a stage column is a number, not a route
        text = ROMAN[squeezed]
    elif _ROMAN_LABEL.match(str(label).strip()) and squeezed not in ab.TOKENS:  # "IIIA" alone
        sub = _ROMAN_SUB.match(squeezed)
        text = " ".join(p for p in (ROMAN[sub.group(1)], sub.group(2), sub.group(3)) if p)
    words = [_spell(w) for w in _NON_WORD.sub(" ", _STRAY_DOT.sub(" ", text)).split()]
    tokens = ab.TOKENS if expand else {}
    expanded = _expand(words, tokens)
    for _ in range(2):  # an expansion's own words are looked up too: "PE" -> "pulmonary
        # embolism" -> "lung embolism", as "Pulmonary embolism" typed in full becomes. Only the
        # exact list: typo correction is for what people typed ("operative" is not "preop").
        again = [part for w in expanded for part in tokens.get(w, w).split()]
        if again == expanded:
            break
        expanded = again
    text = _phrases(" ".join(expanded), expand)
    words = [_guard_spelling(_stem(w)) for w in text.split() if w not in ab.FILLERS]
    words = [w for i, w in enumerate(words) if i == 0 or w != words[i - 1]]
    if not words:  # a label made only of fillers ("Type") keeps its own text
        words = fold(label).split()
    return Canon(text=" ".join(words), keys=guard_keys(words))
