"""Write bench/data/messy_labels.csv: messy clinical labels with the group each one belongs to.

How it was made: the groups and their hand-written variants below were written from the way
labels appear in real chart exports and registries (abbreviations, synonyms, British and
American spelling, signs, stages, doses, sides, timing), with hard negatives side by side in
the same column (Type 1 / Type 2, Hepatitis B / C, A+ / A-, STEMI / NSTEMI, CKD 3 / 4,
10 mg / 20 mg, superficial / deep, positive / negative, pre- / post-op). A seeded generator
then adds, per group, a case/spacing variant and, for longer labels, one typo (a dropped or
swapped letter), and draws a count for each label (the first variant is the most frequent).
Two labels are a true pair when they are in the same column and the same group.

Caveat: the abbreviation list in matching/abbreviations.py was written by the same author, so
the cascade's F1 on this set is optimistic; bench/similarity.py also reports it without the
list. Run: python bench/data/make_messy_labels.py (same file every run).
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

SEED = 7
OUTPUT = Path(__file__).with_name("messy_labels.csv")

# column -> groups; each group lists labels that mean the same thing, the usual one first.
COLUMNS: dict[str, list[list[str]]] = {
    "sex": [
        ["Male", "male", "M", "man", "MALE", "Male "],
        ["Female", "F", "woman", "fem", "FEMALE", "female"],
        ["Unknown", "N/A", "not known", "unk"],
    ],
    "diabetes": [
        ["No", "none", "no DM", "Non-diabetic", "no diabetes"],
        ["Type 1 DM", "T1DM", "type I diabetes", "IDDM", "Type 1 diabetes mellitus"],
        ["Type 2 DM", "T2DM", "Type II diabetes", "NIDDM", "type 2 diabetes mellitus", "DM type 2"],
        ["Diabetes mellitus", "DM", "diabetic", "Diabetes"],
    ],
    "hypertension": [
        ["Hypertension", "HTN", "high blood pressure", "hypertensive", "Known HTN"],
        ["No", "none", "no HTN", "normotensive"],
        ["Hypotension", "hypotensive", "low blood pressure"],
    ],
    "smoking": [
        ["Never", "never smoker", "non-smoker", "Non smoker", "never smoked", "nonsmoker"],
        ["Former", "ex-smoker", "Ex smoker", "former smoker", "quit smoking", "previous smoker"],
        ["Current", "current smoker", "smoker", "Smokes", "active smoker"],
    ],
    "blood_group": [
        ["A+", "A pos", "A positive", "A Rh+", "a+"],
        ["A-", "A neg", "A negative", "A Rh-"],
        ["B+", "B pos", "B positive"],
        ["B-", "B neg", "B negative"],
        ["AB+", "AB pos", "AB positive", "ab+"],
        ["AB-", "AB neg", "AB negative"],
        ["O+", "O pos", "O positive", "O Rh positive"],
        ["O-", "O neg", "O negative"],
    ],
    "hepatitis": [
        ["Hepatitis B", "Hep B", "HBV", "hepatitis B virus", "Hep-B"],
        ["Hepatitis C", "Hep C", "HCV", "hepatitis C virus", "hep-c"],
        ["Hepatitis A", "Hep A", "HAV"],
        ["Negative", "neg", "not detected", "NEG"],
    ],
    "mi_type": [
        ["STEMI", "ST elevation MI", "ST-elevation myocardial infarction", "stemi "],
        ["NSTEMI", "non-STEMI", "Non ST elevation MI", "non-ST-elevation myocardial infarction"],
        ["Unstable angina", "unstable angina pectoris", "UA"],
    ],
    "ckd_stage": [
        [
            "CKD 3",
            "CKD stage 3",
            "CKD III",
            "stage 3 CKD",
            "ckd3",
            "Chronic kidney disease stage 3",
        ],
        ["CKD 4", "CKD stage 4", "CKD IV", "stage 4 CKD", "ckd4"],
        ["ESRD", "end-stage renal disease", "ESKD", "end stage kidney disease"],
        ["AKI", "acute kidney injury", "Acute renal injury"],
    ],
    "dose": [
        ["10 mg", "10mg", "10 MG", "10 mg.", "10 milligrams"],
        ["20 mg", "20mg", "20 MG", "20 mg."],
        ["40 mg", "40mg", "40 MG"],
        ["5 mg", "5mg", "5 MG", "5.0 mg"],
    ],
    "wound_infection": [
        ["Superficial SSI", "superficial surgical site infection", "superficial wound infection"],
        ["Deep SSI", "deep surgical site infection", "deep incisional SSI"],
        ["Organ/space SSI", "organ space SSI", "organ-space surgical site infection"],
        ["None", "no infection", "No SSI"],
    ],
    "covid_test": [
        ["Positive", "POS", "positive ", "+", "detected", "Pos."],
        ["Negative", "neg", "-ve", "not detected", "NEG"],
        ["Inconclusive", "indeterminate", "equivocal"],
    ],
    "complication_timing": [
        ["Post-op", "postoperative", "after surgery", "post operative", "postop"],
        ["Pre-op", "preoperative", "before surgery", "pre operative", "preop"],
        ["Intra-op", "intraoperative", "intra operative", "during surgery"],
    ],
    "vital_status": [
        ["Alive", "alive", "living", "alive and well"],
        ["Dead", "died", "deceased", "death", "expired"],
        ["Lost to follow-up", "LTFU", "lost to followup", "LFU", "lost to f/u"],
    ],
    "admission_unit": [
        ["ICU", "Intensive care", "ITU", "intensive care unit", "Intensive Care Unit (ICU)"],
        ["Ward", "general ward", "surgical ward", "ward "],
        ["HDU", "high dependency unit", "High-dependency"],
        ["CCU", "coronary care unit", "Coronary care"],
    ],
    "anaesthesia": [
        ["GA", "General anaesthesia", "general anesthetic", "General anesthesia", "general"],
        ["Spinal", "spinal anaesthesia", "spinal anesthetic", "Spinal block"],
        ["LA", "local anaesthetic", "local anesthesia", "Local"],
        ["Regional", "regional block", "nerve block", "regional anaesthesia"],
    ],
    "cardiac_history": [
        ["MI", "myocardial infarction", "heart attack", "previous MI"],
        ["Heart failure", "CHF", "CCF", "congestive heart failure", "cardiac failure"],
        ["AF", "atrial fibrillation", "A fib", "Afib", "A-fib"],
        ["Angina", "stable angina", "angina pectoris"],
    ],
    "lung_disease": [
        ["COPD", "chronic obstructive pulmonary disease", "C.O.P.D.", "copd "],
        ["Asthma", "asthmatic", "bronchial asthma"],
        ["OSA", "obstructive sleep apnoea", "sleep apnea", "obstructive sleep apnea"],
        ["None", "no", "nil"],
    ],
    "anaemia": [
        ["Anaemia", "anemia", "anaemic", "Anemia "],
        ["None", "No", "no anaemia"],
        ["Iron deficiency anaemia", "IDA", "iron-deficiency anemia"],
    ],
    "side": [
        ["Left", "L", "Lt", "left side", "LEFT"],
        ["Right", "R", "Rt", "right side", "RIGHT"],
        ["Bilateral", "both", "bilat", "B/L", "both sides"],
    ],
    "tumour_behaviour": [
        ["Benign", "benign tumour", "non-malignant", "benign tumor"],
        ["Malignant", "cancer", "malignancy", "carcinoma", "malignant tumour"],
        ["Borderline", "borderline tumour", "uncertain malignant potential"],
    ],
    "oedema": [
        ["Oedema", "edema", "peripheral oedema", "swelling", "Oedema "],
        ["None", "no oedema", "No edema"],
        ["Pulmonary oedema", "pulmonary edema", "lung oedema"],
    ],
    "ethnicity": [
        ["White", "Caucasian", "white British", "WHITE"],
        ["Black", "African American", "Black British", "black"],
        ["Asian", "South Asian", "East Asian", "asian"],
        ["Mixed", "mixed race", "multiracial"],
    ],
    "surgery_type": [
        ["Colorectal", "colorectal surgery", "bowel surgery", "Colo-rectal"],
        ["Hepatobiliary", "HPB", "liver surgery", "hepato-biliary"],
        ["Hernia repair", "hernia", "inguinal hernia repair", "Hernia Repair"],
        ["Upper GI", "upper gastrointestinal", "UGI", "oesophagogastric"],
    ],
    "tumour_grade": [
        ["Grade 1", "G1", "grade I", "well differentiated"],
        ["Grade 2", "G2", "grade II", "moderately differentiated"],
        ["Grade 3", "G3", "grade III", "poorly differentiated"],
    ],
    "asa_class": [
        ["ASA I", "ASA 1", "I", "asa1"],
        ["ASA II", "ASA 2", "II", "asa2"],
        ["ASA III", "ASA 3", "III", "asa3"],
        ["ASA IV", "ASA 4", "IV", "asa4"],
    ],
    "pain": [
        ["Mild", "mild pain", "slight", "MILD"],
        ["Moderate", "mod", "moderate pain", "Moderate "],
        ["Severe", "severe pain", "sev", "SEVERE"],
        ["None", "no pain", "pain free"],
    ],
    "transfusion": [
        ["Yes", "Y", "yes", "YES", "Yes."],
        ["No", "N", "no ", "NO", "none"],
        ["Unknown", "?", "not recorded"],
    ],
    "route": [
        ["Oral", "PO", "by mouth", "oral "],
        ["Intravenous", "IV", "i.v.", "intravenous infusion"],
        ["Subcutaneous", "SC", "subcut", "s.c."],
    ],
    "delivery": [
        ["Vaginal delivery", "SVD", "normal vaginal delivery", "NVD", "vaginal"],
        ["Caesarean section", "LSCS", "C-section", "cesarean", "CS"],
        ["Instrumental", "forceps", "vacuum", "instrumental delivery"],
    ],
    "glycaemia": [
        ["Hyperglycaemia", "hyperglycemia", "high glucose", "high blood sugar"],
        ["Hypoglycaemia", "hypoglycemia", "low glucose", "hypo"],
        ["Normoglycaemia", "normal glucose", "normoglycemic"],
    ],
}


def typo(label: str, rng: random.Random) -> str:
    """One dropped or swapped letter inside a word (never a digit, sign or the first letter)."""
    spots = [i for i in range(1, len(label) - 2) if label[i : i + 2].isalpha()]
    i = rng.choice(spots)
    if rng.random() < 0.5:
        return label[:i] + label[i + 1 :]
    return label[:i] + label[i + 1] + label[i] + label[i + 2 :]


def rows(rng: random.Random) -> list[dict[str, object]]:
    """Every label with its column, group and a count."""
    out = []
    for column, groups in COLUMNS.items():
        seen: set[str] = set()
        for g, variants in enumerate(groups):
            labels = list(variants)
            base = rng.choice(variants)
            labels.append(base.lower() if base != base.lower() else base.upper())
            long = [v for v in variants if len(v) >= 7]
            if long:
                labels.append(typo(rng.choice(long), rng))
            for i, label in enumerate(labels):
                if label in seen:
                    continue
                seen.add(label)
                count = rng.randint(25, 60) if i == 0 else rng.randint(1, 12)
                out.append({"column": column, "label": label, "group": g, "count": count})
    return out


def main() -> None:
    data = rows(random.Random(SEED))
    with OUTPUT.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["column", "label", "group", "count"])
        writer.writeheader()
        writer.writerows(data)


if __name__ == "__main__":
    main()
