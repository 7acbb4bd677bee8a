"""Deterministic crisis safety net: a second detector, independent of the NLU classifier.

People write to this assistant late at night, by SMS, in slang, with typos and about someone else
("my son took pills and won't wake up"). A trained intent classifier can be unsure about exactly
those messages, and a crisis that falls under its confidence threshold would get an FAQ answer.
This module does not depend on any model or confidence: it normalizes the text (SMS shorthand,
contractions, unicode quotes, repeated letters, common misspellings) and runs a fixed lexicon of
regular expressions, with small checks for negation ("I'm not suicidal"), clearly past and resolved
events ("I overdosed two years ago and got clean"), topic mentions ("suicide prevention month") and
idioms ("this job is killing me"). When unsure it fires: a missed crisis is far worse than a false
alarm.

`detect_crisis` says whether a message signals imminent risk (suicide / self-harm, a medical
emergency such as an overdose, or violence) and names the rule that fired; the rule name is a
constant, never the user's text, so it can be logged. `is_medical_advice_request` recognises
requests for dosing, taper schedules, home detox or mixing drugs, which the assistant always
declines.

Pure Python, standard library only, no I/O. Patterns are compiled once at import and use bounded
repetition only (linear time); input is truncated to MAX_CHARS characters.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, FrozenSet, List, Literal, Optional, Pattern, Tuple

__all__ = [
    "CrisisKind",
    "SafetySignal",
    "detect_crisis",
    "is_medical_advice_request",
    "normalize",
    "RULE_NAMES",
    "MAX_CHARS",
]

CrisisKind = Literal["suicide", "medical", "violence"]

MAX_CHARS = 5000


@dataclass(frozen=True)
class SafetySignal:
    """A crisis recognised in a message.

    kind: suicide = suicidal thoughts/intent or self-harm; medical = overdose, poisoning, not
    breathing, unresponsive, seizure, severe withdrawal...; violence = threats to hurt others or
    being in danger from someone.
    rule: the name of the rule that fired (a constant from RULE_NAMES, never the user's text).
    """

    kind: CrisisKind
    rule: str


# ================================================================================================
# Normalization
# ================================================================================================

_CHAR_TABLE = {ord(c): "'" for c in "\u2018\u2019\u201a\u201b\u2032\u02bc\u02b9`\u00b4"}
_CHAR_TABLE.update({ord(c): '"' for c in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb"})
_CHAR_TABLE.update({ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"})
_CHAR_TABLE.update({ord(c): " , " for c in "\u2013\u2014\u2015"})
_CHAR_TABLE.update({ord(c): " " for c in "\n\r\t"})  # SMS line breaks split sentences at random
# Look-alike letters (Cyrillic, Greek) that defeat a plain keyword match: "kіll" with a Cyrillic i.
_CHAR_TABLE.update(
    {
        ord(k): v
        for k, v in zip(
            "аеорсухіјѕԁӏһкмтвнАЕОРСУХІЈЅКМТВНοαιεκνρτυχ",
            "aeopcyxijsdlhkmtbhaeopcyxijskmtbhoaiekvptux",
        )
    }
)

# Laughing / skull emoji read as "lol": "i'm dead 💀" is laughter.
_LAUGH_EMOJI = re.compile("[\U0001F602\U0001F923\U0001F606\U0001F605\U0001F639\U0001F480\u2620]")

_PRE_SUBS: Tuple[Tuple[Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bo\s?\.\s?d\b\.?", " od "),  # o.d.
        (r"\bod(?:'d|'ed|-d|-ed|ed)\b", " overdosed "),  # od'd, od-ed, oded
        (r"\bod(?:'ing|-ing|ing)\b", " overdosing "),
        (r"\bod(?:'s|-s)\b", " overdoses "),
        (r"\bw/o\b", " without "),
        (r"\bw/", " with "),
        (r"\bb/c\b", " because "),
        (r"(?<=[a-z])\s*\+\s*(?=[a-z])", " and "),
        (r"&", " and "),
        (r"\.{2,}", " "),  # ellipsis is a pause, not a sentence end
        (r"[!?;:]+", " . "),
        (r"\.(?=\s|$|[\"')\]])|(?<=\s)\.", " . "),
        (r"\.", " "),
        (r",", " , "),
        (r"[^a-z0-9'., ]+", " "),
    )
)

# Whole-token rewrites: SMS shorthand, contractions without apostrophes, common misspellings.
_TOKEN_MAP = {
    # contractions typed without an apostrophe
    "cant": "can not", "cannot": "can not", "cnt": "can not", "wont": "will not", "aint": "is not",
    "dont": "do not", "dnt": "do not", "doesnt": "does not", "didnt": "did not", "isnt": "is not",
    "wasnt": "was not", "arent": "are not", "werent": "were not", "havent": "have not",
    "hasnt": "has not", "hadnt": "had not", "wouldnt": "would not", "couldnt": "could not",
    "shouldnt": "should not", "im": "i am", "iam": "i am", "ive": "i have", "youre": "you are",
    "theyre": "they are", "hes": "he is", "shes": "she is", "thats": "that is", "whats": "what is",
    "theres": "there is", "whos": "who is", "youll": "you will", "theyll": "they will",
    "can't": "can not", "won't": "will not", "ain't": "is not",
    # SMS shorthand
    "ima": "i am going to", "imma": "i am going to", "finna": "going to", "gonna": "going to",
    "gona": "going to", "gunna": "going to", "gnna": "going to", "gon": "going to",
    "wanna": "want to", "wana": "want to", "wnna": "want to", "gotta": "got to",
    "tryna": "trying to", "bout": "about", "u": "you", "ya": "you", "yu": "you", "ur": "your",
    "r": "are", "b": "be", "n": "and", "w": "with", "rn": "right now", "tn": "tonight",
    "tonite": "tonight", "2nite": "tonight", "2night": "tonight", "2day": "today",
    "tmrw": "tomorrow", "tmr": "tomorrow", "2morrow": "tomorrow", "pls": "please", "plz": "please",
    "ppl": "people", "some1": "someone", "sum1": "someone", "any1": "anyone", "every1": "everyone",
    "evry1": "everyone", "no1": "no one", "noone": "no one", "nobdy": "nobody", "abt": "about",
    "thru": "through", "wat": "what", "wut": "what", "idk": "i do not know", "idc": "i do not care",
    "idgaf": "i do not care", "bc": "because", "cuz": "because", "coz": "because",
    "bcuz": "because", "becuz": "because", "tho": "though", "smth": "something",
    "sth": "something", "sumthin": "something", "somethin": "something", "nothin": "nothing",
    "dyin": "dying", "dieing": "dying", "tryin": "trying", "goin": "going", "killin": "killing",
    "cuttin": "cutting", "breathin": "breathing", "wakin": "waking", "livin": "living",
    "hw": "how", "shud": "should", "shld": "should", "wht": "what", "cud": "could", "wud": "would",
    "fr": "for real", "frfr": "for real", "ded": "dead", "alot": "a lot", "lil": "little",
    "bf": "boyfriend", "gf": "girlfriend", "bro": "brother", "sis": "sister", "mum": "mom",
    "mommy": "mom", "momma": "mom", "mama": "mom", "daddy": "dad", "hubby": "husband",
    "yr": "year", "yrs": "years", "hr": "hour", "hrs": "hours", "mins": "minutes",
    "lmao": "lol", "lmfao": "lol", "rofl": "lol", "haha": "lol", "hahaha": "lol", "jk": "lol",
    # misspellings of words the rules need
    "pils": "pills", "pilss": "pills", "xanex": "xanax", "zanax": "xanax", "xannax": "xanax",
    "xanny": "xanax", "xannies": "xanax", "xans": "xanax", "tylonol": "tylenol",
    "tyenol": "tylenol", "fentynal": "fentanyl", "fentanil": "fentanyl", "fentenyl": "fentanyl",
    "fent": "fentanyl", "fetty": "fentanyl", "heroine": "heroin", "siezure": "seizure",
    "seizur": "seizure", "seisure": "seizure", "seizer": "seizure", "siezures": "seizures",
    "seizers": "seizures", "breating": "breathing", "breathng": "breathing",
    "brething": "breathing", "unresponsve": "unresponsive", "unresponive": "unresponsive",
    "alchol": "alcohol", "alcohal": "alcohol", "alcahol": "alcohol", "klonipin": "klonopin",
    "klonapin": "klonopin", "perc": "percocet", "percs": "percocet", "percocets": "percocet",
    "myslef": "myself", "mysef": "myself", "myselfe": "myself", "meself": "myself",
    "mysel": "myself", "myslf": "myself", "himslef": "himself", "herslef": "herself",
    "urself": "yourself", "youself": "yourself", "themself": "themselves", "thier": "their",
    "anymore": "anymore", "nomore": "no more",
}
_PRONOUN_S = frozenset(
    "he she it that what who there here everyone everybody someone somebody nobody where how".split()
)

_POST_SUBS: Tuple[Tuple[Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"\bi m\b", "i am"),
        (r"\bmy sel(?:f|ve)\b", "myself"),
        (r"\bhim self\b", "himself"),
        (r"\bher self\b", "herself"),
        (r"\bthem ?sel(?:f|ves)\b", "themselves"),
        (r"\byour self\b", "yourself"),
        (r"\bany more\b", "anymore"),
        (r"\bevery (one|body)\b", r"every\1"),
        (r"\bsome (one|body)\b", r"some\1"),
        (r"\bno body\b", "nobody"),
        (r"\bill (?=(?:kill|hurt|do|end|be|just|never|go|take|jump|shoot|stab|beat|murder|make|die"
         r"|probably|actually|fucking|cut|overdose|od|swallow|drink|finish|show|get|try|slit|hang"
         r"|really|definitely|literally|end|run|burn|choke|strangle)\b)", "i will "),
        (r"\bid (?=(?:rather|be|never|just|kill|die|like|love|want|hurt|have|take|do|better)\b)",
         "i would "),
        (r"\b(want|wanted|wants|going|got|have|need|needs|about|ready|try|trying|plan|planning|"
         r"used|how) 2\b", r"\1 to"),
    )
)

_REPEAT3 = re.compile(r"([a-z])\1{2,}")
_SPACES = re.compile(r"\s+")
_TOKEN_SPLIT = re.compile(r"[a-z0-9']+|[.,]")


_LEET = str.maketrans("013457", "oieast")
_NOT_LEET = re.compile(r"^(?:\d+(?:[a-z]{1,3})?|m30s?|[a-z]\d+|\d+[a-z]+\d+|b4|2nite|2night|2day|"
r"2morrow)$")


def _expand_token(word: str) -> str:
    word = word.strip("'")
    if not word:
        return ""
    if word in _TOKEN_MAP:
        return _TOKEN_MAP[word]
    if not word.isalpha() and not _NOT_LEET.match(word) and any(c.isalpha() for c in word):
        word = word.translate(_LEET)  # leetspeak: "k1ll", "su1c1de"
        if word in _TOKEN_MAP:
            return _TOKEN_MAP[word]
    if "'" in word:
        if word.endswith("n't"):
            word = word[:-3] + " not"
        elif word.endswith("'re"):
            word = word[:-3] + " are"
        elif word.endswith("'ve"):
            word = word[:-3] + " have"
        elif word.endswith("'ll"):
            word = word[:-3] + " will"
        elif word.endswith("'d"):
            word = word[:-2] + " would"
        elif word.endswith("'m"):
            word = word[:-2] + " am"
        elif word.endswith("'s"):
            stem = word[:-2]
            word = stem + (" is" if stem in _PRONOUN_S else "s")
        word = word.replace("'", "")
        return _TOKEN_MAP.get(word, word)
    return word


def _expand(text: str) -> str:
    out = " ".join(_expand_token(t) for t in _TOKEN_SPLIT.findall(text))
    for pattern, repl in _POST_SUBS:
        out = pattern.sub(repl, out)
    return _SPACES.sub(" ", out).strip()


_UPPER_OD = re.compile(r"\bOD(?:'?[dD]|'?ED|'?ed|-d|-ed)\b")
_UPPER_ODING = re.compile(r"\bOD(?:'?ING|'?ing|-ing)\b")
# Words spelled out letter by letter ("d i e") that are rejoined.
_SPELLED = re.compile(r"\b(?:[a-z] ){2,9}[a-z]\b")
_SPELLED_WORDS = frozenset("die dead kill kms kys suicide suicidal overdose help".split())


_LEET_SYMBOL = re.compile(r"(?<=[a-z])[@$]|[@$](?=[a-z])")


def _join_spelled(match: "re.Match[str]") -> str:
    joined = match.group(0).replace(" ", "")
    return joined if joined in _SPELLED_WORDS else match.group(0)


def _prepare(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_CHAR_TABLE)
    text = _UPPER_ODING.sub(" overdosing ", _UPPER_OD.sub(" overdosed ", text)).lower()
    text = _LAUGH_EMOJI.sub(" lol ", text)
    text = _LEET_SYMBOL.sub(lambda m: "a" if m.group(0) == "@" else "s", text)
    for pattern, repl in _PRE_SUBS:
        text = pattern.sub(repl, text)
    return _SPELLED.sub(_join_spelled, _SPACES.sub(" ", text))


def _variants(text: str) -> List[str]:
    """Normalized forms of a message: letters repeated 3+ times squeezed to two, and to one."""
    prepared = _prepare(text)
    two = _expand(_REPEAT3.sub(r"\1\1", prepared))
    one = _expand(_REPEAT3.sub(r"\1", prepared))
    return [two] if one == two else [two, one]


def normalize(text: str) -> str:
    """The main normalized form of a message (lowercase words, '.' and ',' as separate tokens)."""
    return _variants(text)[0]


# ================================================================================================
# Lexicon
# ================================================================================================


def _alt(words: str) -> str:
    items = sorted(set(words.split("|")), key=len, reverse=True)
    return "(?:" + "|".join(items) + ")"


def _f(n: int) -> str:
    """Up to n filler words (never crosses a ',' or '.' token)."""
    return "(?:[a-z0-9]+ ){0,%d}?" % n


REFL = r"(?:myself|himself|herself|themselves|yourself|ourselves)"
FAM = _alt(
    "mom|mother|moms|dad|father|dads|stepdad|stepfather|stepmom|stepmother|husband|wife|boyfriend|"
    "girlfriend|ex|partner|fiance|fiancee|son|sons|daughter|daughters|kid|kids|child|children|baby|"
    "babies|teen|teenager|brother|brothers|sister|sisters|sibling|siblings|roommate|roomie|friend|"
    "friends|bestie|cousin|uncle|aunt|grandma|grandmother|grandpa|grandfather|nephew|niece|parent|"
    "parents|family|boss|coworker|coworkers|neighbor|neighbors|landlord|dealer|stepson|stepdaughter|"
    "grandson|granddaughter|spouse|loved one|wifey|man|guy|sponsor"
)
PERSON_N = _alt(
    "guy|guys|man|men|woman|women|dude|lady|bitch|bastard|asshole|prick|jerk|person|kid|kids|boy|"
    "girl|cop|cops|teacher|coworker|coworkers|boss|neighbor|neighbors|dealer|landlord|people|idiot"
)
SUBJ3 = r"(?:he|she|they|someone|somebody|(?:my|our|his|her|their) %s%s)" % (_f(3), FAM)
OBJ_OTHER = (
    r"(?:(?:my|his|her|their|our|your|that|this|the) %s(?:%s|%s)\b|%s\b|him\b|her\b(?! (?:feelings|"
    r"chances|career|reputation|pride|ego|credit|case|image|heart|trust))|them\b|you\b|someone\b|"
    r"somebody\b|anyone\b|anybody\b|people\b|everyone\b|everybody\b|all of (?:them|you)\b)"
) % (_f(2), FAM, PERSON_N, FAM)
OBJ_ANY = r"(?:me\b|us\b|%s)" % OBJ_OTHER

PILLS = _alt(
    "pill|pills|meds|med|medication|medications|medicine|medicines|tablet|tablets|tabs|capsule|"
    "capsules|caps|prescription|prescriptions|script|scripts|drugs|xanax|bars|alprazolam|percocet|"
    "oxy|oxys|oxycodone|oxycontin|roxy|roxys|roxies|vicodin|hydrocodone|norco|codeine|lean|fentanyl|"
    "heroin|dope|morphine|dilaudid|tramadol|methadone|suboxone|subs|opioid|opioids|opiates|"
    "painkillers|painkiller|pain pills|benzo|benzos|klonopin|clonazepam|valium|diazepam|ativan|"
    "lorazepam|ambien|zolpidem|sleeping pills|sleep aids|sleeping tablets|melatonin|benadryl|nyquil|"
    "tylenol|acetaminophen|paracetamol|advil|ibuprofen|motrin|aleve|aspirin|excedrin|adderall|"
    "vyvanse|ritalin|seroquel|quetiapine|lithium|lamictal|trazodone|zoloft|prozac|lexapro|wellbutrin|"
    "effexor|antidepressants|gabapentin|neurontin|lyrica|insulin|muscle relaxers|flexeril|soma|"
    "edibles|cocaine|coke|meth|molly|ecstasy|mdma|ketamine|ghb|m30s|m30|blues|klonopins|xanaxs|"
    "librium|antipsychotics|heart pills|blood pressure pills|blood pressure meds|kratom|something|"
    "cough syrup|robitussin|dxm|cough medicine"
)
POISON = _alt(
    "bleach|antifreeze|rat poison|poison|drano|detergent|tide pods|tide pod|laundry pods|cleaner|"
    "cleaning fluid|cleaning products|pesticide|weed killer|lighter fluid|nail polish remover|"
    "rubbing alcohol|hand sanitizer|windshield washer fluid|window washer fluid|gasoline|kerosene|"
    "lye|batteries|battery|mothballs|ammonia|paint thinner"
)
ALCOHOL = _alt(
    "alcohol|vodka|whiskey|whisky|beer|beers|wine|liquor|tequila|rum|gin|booze|drinks|shots|"
    "fireball|everclear|a fifth|fifth|a handle|bourbon|brandy|moonshine|a bottle"
)
DEPRESSANT = _alt(
    "pills|pill|xanax|bars|benzos|benzo|opioids|percocet|oxy|oxycodone|fentanyl|heroin|ambien|"
    "sleeping pills|klonopin|valium|ativan|meds|medication|gabapentin|methadone|lean|painkillers|"
    "sleep aids|seroquel|trazodone|dope|morphine|suboxone|muscle relaxers|soma|tramadol|something"
)
QUANT = (
    r"(?:a |the )?(?:whole|entire|full|all|every|rest of|bunch|handful|lot|lots|ton|tons|bottle|"
    r"box|pack|sleeve|strip|dozen|dozens|double|triple|too many|too much|way too many|way too much|"
    r"way more|extra|a few extra|like \d+|about \d+|around \d+|over \d+|\d{2,}|[5-9]|five|six|seven|"
    r"eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|several|(?:\d+|two|"
    r"three|four|several|a few|few|multiple) (?:bottles|boxes|packs|sleeves|strips))\b"
)
STRONG_DRUG = _alt(
    "xanax|bars|percocet|oxy|oxys|oxycodone|roxys|roxies|fentanyl|morphine|dilaudid|benzos|"
    "klonopin|valium|ativan|m30s|m30|blues|methadone|ambien|seroquel|sleeping pills|tramadol"
)
INGEST = _alt(
    "took|taken|take|taking|swallowed|swallow|swallowing|ate|eaten|popped|pop|popping|downed|"
    "chugged|snorted|injected|shot up|smoked|did|used|had|overdid it on|went through"
)
# Words between a quantity and a drug that show the quantity is about something else.
_NOT_MEANS_FILLER = (
    r"(?:(?!(?:money|cash|time|savings|car|stuff|things|credit|days?|hours?)\b)[a-z0-9]+ ){0,4}?"
)

SUBSTANCE_CONTEXT = re.compile(
    r"\b(?:%s|%s|took|taking|taken|drank|drinking|drunk|used|using|high|snorted|injected|shot up|"
    r"popped|swallowed|overdose\w*|od)\b" % (PILLS, ALCOHOL)
)
WITHDRAWAL_CONTEXT = re.compile(
    r"\b(?:stopped|stopping|quit|quitting|cut off|ran out of|coming off|came off|cold turkey|"
    r"withdrawal|withdrawals|withdrawing|detox|detoxing|dope sick|dopesick|off (?:the )?(?:booze|"
    r"alcohol|xanax|benzos|pills|drinking|heroin|fentanyl|opiates)|(?:not|no|without) (?:had )?"
    r"(?:a )?(?:drink|drinks|alcohol|booze)|(?:had|have) not had a drink|sober for \w+ days?|"
    r"\w+ days? (?:off|sober|clean|without))\b"
)

_SUBSTANCE_OR_WITHDRAWAL = re.compile(
    "(?:" + SUBSTANCE_CONTEXT.pattern + ")|(?:" + WITHDRAWAL_CONTEXT.pattern + ")"
)

# Cue words for context checks
_NEGATORS = frozenset("not never no nor without neither".split())
_NEG_EXCEPT = frozenset(
    "stop help sure certain stand shake bear escape ignore handle quit cope deal seem get "
    "anymore alone okay ok fine well".split()
)
_STOPS = frozenset(
    "i he she they we you but and so because though although however if or then yet when while "
    "since , .".split()
)
_PAST_LEAD = re.compile(
    r"\b(?:used to|history of|previous|previously|prior|survived|survivor of|in the past|"
    r"recovering from|recovered from|past)\b"
)
_PAST_TIME = re.compile(
    r"\b(?:(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|few|couple|couple of|several|many|some) (?:\w+ )?(?:years?|months?|decades?) "
    r"ago|years ago|months ago|(?:last|a|one) (?:year|decade)|in (?:19|20)\d\d|back in|back when|"
    r"back then|(?:as|when (?:i|he|she|they) (?:was|were)) (?:a |an )?(?:kid|child|teen|teenager|"
    r"baby|toddler|little|younger|young|adolescent|\d+|in (?:high school|college|school|my \w+))|"
    r"(?:in|during) (?:high school|middle school|college|childhood|my teens|his teens|her teens|"
    r"my twenties|my early twenties|(?:my|his|her|their) (?:teens|20s|30s|40s|twenties|thirties|"
    r"forties|youth))|when (?:i|he|she|they) (?:was|were) \d+|long time ago|"
    r"long ago|ages ago|once before|before$|(?<!at )once(?! (?:i|he|she|they|we|you|it|the|my)\b))\b"
)
_RECOVERED = re.compile(
    r"\b(?:(?:got|been|now|stayed|staying|has been|have been|getting) (?:\w+ )?"
    r"(?:clean|sober)|in recovery|(?:doing|am doing|is doing) (?:well|better|great|good|ok|okay)|"
    r"(?:good|better) place|stable now|(?:am|is) stable|(?:am|is|are) fine now|fine now)\b"
)
_RECENT = re.compile(
    r"\b(?:tonight|today|right now|just now|this (?:morning|afternoon|evening|week)|last night|"
    r"yesterday|earlier|(?:an|a|one|two|three|few|couple|\d+|a few|a couple of?) (?:\w+ )?"
    r"(?:hours?|minutes?) ago|again|at the moment|as we speak)\b"
)
_NOT_RECENT_AGAIN = re.compile(
    r"\b(?:risk|chance|chances|happen|happens|happening|worried|afraid|scared|if|can|could|will)\b"
    r"(?: [a-z]+){0,3} again\b"
)
_LOL = re.compile(r"\blol\b")
_JUST_BEFORE = re.compile(r"\bjust $")


# ================================================================================================
# Rules
# ================================================================================================


@dataclass(frozen=True)
class _Rule:
    name: str
    kind: CrisisKind
    pattern: Pattern[str]
    neg: bool = True  # a negator just before the match ("not suicidal") suppresses it
    ineg: bool = False  # "not"/"never" inside the match suppresses it
    past: bool = False  # a clearly past, resolved event does not fire
    pre: Optional[Pattern[str]] = None  # suppress when found in the sentence before the match
    post: Optional[Pattern[str]] = None  # suppress when the sentence after the match starts so
    sent: Optional[Pattern[str]] = None  # suppress when found anywhere in the sentence
    need: Optional[Pattern[str]] = None  # required somewhere in the message
    lol: bool = False  # laughter in the sentence marks an idiom
    idiom: Optional[Callable[[str, str, str], bool]] = None  # (match, after, sentence) -> idiom?


def _r(name: str, kind: CrisisKind, pattern: str, **opts: object) -> _Rule:
    compiled = {k: re.compile(v) if isinstance(v, str) and k != "name" else v for k, v in opts.items()}
    return _Rule(name, kind, re.compile(pattern), **compiled)  # type: ignore[arg-type]


_KILL_ME = re.compile(r"\b(?:kil{1,2}|murder) (?:me|us)$")
_CONDITIONAL = re.compile(r"(?:if|when|once|for|lol|after|because|before|unless)\b")
_REAL_THREAT = re.compile(
    r"\b(?:said|says|swore|swears|told me|texted|threat\w*|gun|knife|weapon|hit|hits|hitting|beat|"
    r"beats|beating|chok\w+|strangl\w+|scared|afraid|terrified|danger|safe|hurt me|hurts me|drunk|"
    r"high|abus\w+|violent|police|911|help|hiding|locked)\b"
)


def _kill_me_idiom(matched: str, after: str, sentence: str) -> bool:
    """'My mom will kill me if she finds out' is a figure of speech; 'he'll kill me' is not."""
    return bool(
        _KILL_ME.search(matched)
        and (_CONDITIONAL.match(after) or _LOL.search(sentence))
        and not _REAL_THREAT.search(sentence)
    )


# Shared context patterns
_GENERIC_Q = (
    # a question about a topic, a hypothetical, or worry about the future, right before the match
    r"(?:\b(?:risk|risks|chance|chances|possibility|odds|danger|dangers|signs?|symptoms?|rates?|"
    r"statistics|history) of (?:an? |having an? |having )?$|\b(?:prevent|preventing|avoid|avoiding|"
    r"recognize|recognizing|spot|spotting|reverse|reversing|respond to|responding to|treat|"
    r"treating|handle|handling|manage|managing)(?: an?)? $|\bwhat (?:if|happens if|happens when|"
    r"to do if|to do when|do i do if|do you do if|should i do if|do we do if) (?:you|someone|somebody|"
    r"a person|people|one|u|anyone|they|a \w+|your \w+)(?: [a-z]+){0,2} $|\bin case(?: [a-z]+){0,3} $|"
    r"\bif (?:you|someone|a person|people|anyone|somebody|one|they)(?: [a-z]+){0,2} $|\b(?:can|could|"
    r"does|do|will|would|might|may|is it (?:possible|normal|common|true)(?: that| for| to)?)"
    r"(?: [a-z]+){0,4} (?:cause|causes|lead to|leads to|give you|trigger|triggers|result in)"
    r"(?: [a-z]+){0,3} $|\b(?:can|could|will|would|might|may|do|does) (?:you|people|someone|one|a "
    r"person|anyone|u|somebody)(?: ever| actually| really| still| even)?(?: get| have| go into| "
    r"experience)? $|\b(?:what|how) (?:is|are|does|do) (?:a |an |the )?$|\bhow (?:common|dangerous|"
    r"bad|likely|long|often)\b(?: [a-z]+){0,4} $|\b(?:worried|afraid|scared|terrified|fear|fears|"
    r"worry|worries) (?:that )?(?:[a-z]+ ){0,3}(?:will|might|could|may|would|is going to|going to|"
    r"gets?|has)(?: [a-z]+)? $)"
)
_TOPIC_BEFORE = (
    r"\b(?:movie|movies|film|films|documentary|documentaries|book|books|novel|show|series|episode|"
    r"song|article|articles|podcast|video|story|stories|news|talk|lecture|class|course|training|"
    r"research|paper|essay|report|presentation|project|walk|event|awareness|prevention|hotline|"
    r"lifeline|resources|statistics) (?:about|on|regarding|around|for|of) (?:[a-z]+ ){0,2}$"
)

_RULES: Tuple[_Rule, ...] = (
    # ---------------------------------------------------------------- suicide: intent with means
    _r("suicide.lethal_means_query", "suicide",
       r"\b(?:lethal|fatal|deadly|killing) (?:dose|amount|dosage|quantity)\b|\bhow (?:many|much) "
       + _f(5) + r"(?:to|would|will|could|does|do|it|till|until|before) " + _f(3)
       + r"(?:die|kill (?:me|myself|you|a person|someone|him|her)|od|overdose|end it|be lethal|be "
       r"fatal|be deadly|not wake up|never wake up|stop (?:my|your|his|her) heart)\b|\bhow (?:many|"
       r"much)"
       r" " + _f(5) + r"(?:is|are) (?:lethal|fatal|deadly)\b",
       neg=False),
    _r("suicide.intent_overdose", "suicide",
       r"\b(?:going to|want to|wants to|plan to|plans to|planning to|about to|ready to|thinking "
       r"(?:about|of)|think about|thought about|try to|trying to|tempted to|decided to|urge to|"
       r"considering|consider) (?:just )?(?:overdos(?:e|ing)|od|od ing|(?:take|taking|swallow|"
       r"swallowing|down|downing|pop|popping) (?:all|every|the whole|a whole|the rest|everything|"
       r"a bunch|a handful|the bottle)\b)",
       post=r"^(?:if|one day|someday|eventually|sooner or later)\b",
       pre=r"\b(?:worried|afraid|scared|terrified|fear|worry|worries)\b(?: [a-z]+){0,4} $",
       past=True),
    _r("suicide.method", "suicide",
       r"\b(?:hang|hanging|hanged|hung|shoot|shooting|shot|stab|stabbing|stabbed|drown|drowning|"
       r"drowned|poison|poisoning|poisoned|suffocate|suffocating|suffocated|electrocute|gas|gassing|"
       r"off|offing|offed|slit|slitting) " + REFL + r"\b(?! in (?:work|paperwork|coffee|booze|"
       r"alcohol|the foot|emails?))|\bnoose\b|\b(?:slit|slitting|slash|slashing|slice|slicing|"
       r"slashed|sliced|cut|cuts|cutting|carve|carved|"
       r"carving) " + _f(2) + r"(?:wrists?|throat|veins?)\b|\b(?:razor|razor blade|blade|"
       r"knife) (?:to|on|across) (?:my|his|her|their) (?:wrists?|throat|veins?|arms?)\b|\bgun "
       r"(?:to|in|against) (?:my|his|her|their) (?:head|mouth|temple|chest)\b|\bbullet (?:in|into|"
       r"through) (?:my|his|her|their) (?:head|brain|skull)\b|\bblow (?:my|his|her|their) brains "
       r"out\b|\bjump(?:ed|ing|s)? (?:off|from|out of) (?:a |the |that |this |my |his |her |our )?"
       + _f(2) + r"(?:bridge|roof|rooftop|building|balcony|cliff|overpass|garage|tower|ledge|window|"
       r"highway|dam|parking|apartment|hotel)\b|\b(?:walk|walking|step|stepping|run|running|jump|"
       r"jumping|throw (?:myself|himself|herself)|lie down|lay down) (?:out )?(?:in front of|into|"
       r"onto) (?:a |the |an )?(?:train|bus|truck|car|traffic|oncoming|subway|tracks|highway)\b|"
       r"\b(?:drive|driving|drove|crash|crashing|steer|swerve|wreck|drive my car|drive his car|drive "
       r"her car) " + _f(3) + r"(?:off|into) (?:a |the |an )?(?:bridge|cliff|road|tree|wall|pole|"
       r"river|lake|ocean|traffic|oncoming|overpass|embankment|semi|truck|ravine|canyon)\b",
       past=True),
    _r("suicide.jump_intent", "suicide",
       r"\b(?:going to|want to|wants to|about to|ready to|thinking (?:about|of)|think about|plan to|"
       r"planning to|will|might|gonna|say|says|said|threatening to|threatened to) (?:just )?"
       r"jump(?:ing)?\b(?! (?:on|onto|in|into|at|through|to|ahead|right|start|back|ship|the gun|"
       r"in line|rope|a call|around|up|over|for|with|the queue|the line|straight|from (?:job|one)))",
       past=True),
    _r("suicide.algospeak", "suicide",
       r"\b(?:kms|kys|unaliv\w*|un alive|sewer ?slide|sewerslide|self ?delete|self ?deleting|"
       r"end ?my ?self)\b"),
    _r("suicide.means_prepared", "suicide",
       r"\b(?:pills|gun|rope|razor|razor blade|blade|noose|knife|bottle of pills)\b(?: [a-z]+){0,2} "
       r"(?:ready|lined up|counted out|in front of me|in my hand|in my lap|next to me|loaded and)\b|"
       r"\b(?:standing|sitting|stood|sat|climbed|climbing) (?:up )?(?:on|onto|at the edge of|on the "
       r"edge of) (?:the|a|this|that) (?:bridge|ledge|edge|roof|rooftop|tracks|train tracks|"
       r"overpass|railing|cliff)\b|\b(?:engine|car|motor) (?:\w+ ){0,2}running in (?:the|a|my|our) "
       r"(?:closed |shut )?garage\b|\b(?:sitting|sat|locked) in (?:my|his|her|the) car in (?:the|a|"
       r"my) (?:closed )?garage with the engine\b|\b(?:stockpil\w*|hoard\w*|saving up|saved up|"
       r"collecting|stashing|stashed|been saving) "
       + _f(3) + r"(?:" + PILLS + r")\b|\b(?:saved|enough|saving|stocked) " + _f(4) + r"(?:to end "
       r"it|to die|to kill (?:myself|himself|herself)|to overdose|to od|to not wake up)\b|\brope "
       r"(?:and a plan|ready|tied|around (?:my|his|her) neck|to hang)\b|\b(?:going to|want to|"
       r"wants to|trying to|plan to|planning to|gonna|will|about to) (?:just )?(?:drink|drug|use|"
       r"starve) (?:myself|himself|herself|themselves) to death\b|\b(?:want to|going to|gonna|"
       r"thinking (?:about|of)|plan to|planning to|about to|might) (?:crash|wreck|total|drive) "
       r"(?:my|his|her|the) (?:car|truck)(?: on purpose| into)?\b(?! (?:to|for|home|back|in|over))",
       past=True),
    # ---------------------------------------------------------------- medical emergencies
    _r("medical.not_breathing", "medical",
       r"\b(?:not|stopped|stop|barely|hardly|can not|could not|trouble|struggling to|struggles to|"
       r"having trouble|difficulty|hard to|hard time|unable to|is not|isnt|gasping and) (?:really )?"
       r"(?:breath|breathe|breathing|breathin)\b(?! (?:a word|down|a sigh|easy|easier))|\b(?:breathing|"
       r"breaths|breath) (?:is |are |has |got |sounds |looks )?(?:really |very |super |so |kind of |"
       r"kinda |all )?(?:slow|slowed|shallow|weird|funny|strange|raspy|labored|gurgling|stopped|"
       r"irregular|rattling|faint)\b|\b(?:gurgling|snoring|choking|rattling|gasping) (?:sounds|"
       r"noises|noise|sound|for air)\b|\bchoking on (?:\w+ )?(?:vomit|puke|throw up|his tongue|"
       r"her tongue)\b|\bgasping for (?:air|breath)\b",
       neg=False, lol=True, sent=r"\bapnea\b"),
    _r("medical.unresponsive", "medical",
       r"\b(?:unresponsive|not responsive|non responsive|unconscious|(?:not|will not|is not|stopped|"
       r"isnt|wont) (?:respond|responding|moving|reacting)\b(?! to (?:my|our|your|the|emails?|calls?|"
       r"texts?|messages?|treatment|meds|medication|therapy|voicemails?|anything i say|questions)))",
       neg=False,
       pre=r"\b(?:insurance|company|office|clinic|staff|website|site|app|phone|email|system|screen|"
       r"page|portal|provider|support|program|therapist|counselor|doctor|agency|team|intake|you|"
       r"admissions|bot|chat|computer|laptop|account|pharmacy|landlord)\b(?: [a-z]+){0,2} $"),
    _r("medical.wont_wake", "medical",
       r"\b(?:will not|can not|could not|would not|did not|does not|is not|are not|not|unable to|"
       r"trouble|hard to|impossible to|trying to|tried to) (?:(?:get|getting) (?:him|her|them|my \w+|"
       r"\w+) to )?(?:wak(?:e|ing)|rous(?:e|ing)|come to)\b",
       neg=False,
       post=r"^(?:up )?(?:\w+ )?(?:early|on time|in time|for (?:school|work|class|group|iop|"
       r"appointments?|the)|in the mornings?|before|till|until|at \d|with an alarm|with my alarm)",
       pre=r"\b(?:hope|hoping|wish|want|wanting|pray|praying|rather|would like)\b(?: [a-z]+){0,3} $"),
    _r("medical.turning_blue", "medical",
       r"\b(?:lips|face|skin|fingers|fingertips|nails|toes|mouth) (?:are |is |look |looks |have |has "
       r"|got |getting |went |go )?(?:turning |turned |going |gone |looking |kinda |kind of |really |"
       r"very |all )?(?:blue|purple|gray|grey)\b|\b(?:turning|turned|going|gone) (?:blue|purple|"
       r"gray|grey)\b|\bblue lips\b",
       neg=False, lol=True, post=r"^(?:from|in) the (?:cold|snow|pool|water)\b"),
    _r("medical.seizure_now", "medical",
       r"\b(?:having|is having|in|into|going into|started having|keeps having|another) (?:an? |"
       r"another |multiple |some |what looks like an? )?(?:\w+ )?(?:seizures?|convulsions?|fits)\b"
       r"(?! (?:of laughter|of rage|as a kid))|\b(?:seizing|convulsing|convulsions)\b(?! up)|"
       r"\bseizures? (?:right now|now|again)\b|\bseizures?\b(?: [a-z]+){0,4} (?:having|has) (?:one|it|"
       r"another) (?:now|right now)\b",
       neg=False, pre=_GENERIC_Q),
    _r("medical.seizure_had", "medical",
       r"\b(?:had|has had|just had) (?:an? |another |multiple |some |two |three )?(?:\w+ )?"
       r"(?:seizures?|convulsions?)\b",
       past=True, pre=_GENERIC_Q),
    _r("medical.severe_symptom", "medical",
       r"\bfoam\w* (?:at|from) (?:the|his|her|my|their) mouth\b|\b(?:throwing|threw|throw|puking|"
       r"puked|vomiting|vomited|coughing|coughed|spitting|peeing|pooping|shitting) (?:up )?"
       r"(?:\w+ )?blood\b|\b(?:bleeding|bleed|bleeds) (?:a lot|heavily|badly|bad|everywhere|out|so "
       r"much|nonstop|really bad|like crazy)\b|\b(?:will not|can not|could not) stop (?:the )?"
       r"bleeding\b|\b(?:lost|losing) (?:a lot of|so much) blood\b|\bblood everywhere\b|\b(?:no|can "
       r"not find a|can not feel a|weak|faint) pulse\b|\bheart (?:stopped|is stopping|is not beating|"
       r"stopped beating)\b|\b(?:having|had|think (?:i am|he is|she is|they are|it is) having|"
       r"going into) (?:a |an )?(?:heart attack|stroke|cardiac arrest)\b|\bface (?:is )?drooping\b|"
       r"\bfound (?:him|her|them|my \w+|\w+) " + _f(1) + r"(?:unconscious|unresponsive|not breathing|"
       r"passed out|face down|blue|cold|not moving|on the (?:floor|ground|bathroom floor))\b|\bpinpoint"
       r" pupils\b",
       neg=False),
    _r("medical.dying", "medical",
       r"\b(?:i am|he is|she is|they are|is|am|think i am|feel like i am|feel like he is|think he is|"
       r"think she is|might be|could be|i feel like i am) dying\b(?! (?:to|for|laughing|over|inside|"
       r"here|with laughter|his|her|my|their|the|hair|in this heat|(?:of|from) (?!an? overdose|"
       r"overdose|alcohol poisoning|withdrawal|the pills|what)))",
       lol=True, pre=r"\b(?:ugh|omg|oh my god|oh my gosh|literally|legit|lowkey|"
       r"honestly)\b(?: [a-z]+){0,2} $"),
    _r("medical.person_dead", "medical",
       r"\b(?:he|she|they|(?:my|our|his|her) " + _f(2) + FAM + r") (?:is|are|might be|may be|could be|"
       r"looks|seems|think is|is not|is already) dead\b(?! (?:tired|serious|set|wrong|broke|asleep|"
       r"drunk|weight|to the world|on|ass|inside|last|center|lol|quiet|beat))",
       lol=True),
    _r("medical.chest_pain", "medical",
       r"\bchest (?:pain|pains|hurts|is hurting|hurting|feels tight|is tight|tightness|pressure|is "
       r"killing me|feels like it is going to explode|is on fire)\b|\bpain in (?:my|his|her|their) "
       r"chest\b|\bcrushing (?:chest )?pain\b",
       pre=_GENERIC_Q, lol=True),
    _r("medical.poisoning", "medical",
       r"\b(?:drank|drink|drinking|swallowed|swallow|ate|eaten|eating|ingested|took|chugged|"
       r"injected|inhaled|huffed|got into) " + _f(3) + POISON + r"\b|\bpoisoned (?:myself|himself|"
       r"herself|themselves|me|him|her)\b",
       past=True, pre=_GENERIC_Q),
    _r("medical.child_ingestion", "medical",
       r"\bgot into (?:my|his|her|their|the|grandmas|grandpas) (?:\w+ )?(?:pills|meds|medication|"
       r"medications|medicine|medicine cabinet|prescriptions?|methadone|suboxone|fentanyl|edibles)\b|"
       r"\b(?:baby|babies|toddler|infant|little one|(?:\d+|one|two|three|four|five) (?:year|month) "
       r"old|grandchild|grandson|granddaughter|dog|puppy|cat) " + _f(3) + r"(?:swallowed|ate|eaten|"
       r"took|got into|drank|chewed|found and ate) " + _f(4) + PILLS + r"\b",
       pre=_GENERIC_Q),
    _r("medical.ingestion_quantity", "medical",
       r"\b" + INGEST + r" (?:like |about |around |maybe |probably |at least |almost |over )?" + QUANT
       + r" (?:of )?" + _NOT_MEANS_FILLER + PILLS + r"\b|\b(?:took|swallowed|popped|downed|ate|"
       r"chugged|drank) " + _f(3) + r"(?:the |a )?(?:whole|entire|full) (?:bottle|box|pack|sleeve|"
       r"strip|thing|prescription|script)\b(?! of (?:wine|champagne|beer|soda|water|juice|coke|"
       r"kombucha|pop|gatorade|cider|prosecco|shampoo|lotion|soap|conditioner|sunscreen)|"
       r"(?: of \w+)? to "
       r"(?:the|group|work|school|class|my|his|her|a|an))|\b(?:after|from|on) (?:taking |doing |using |"
       r"snorting |popping )?(?:way )?(?:too much|too many|a bunch of|a lot of|a ton of) (?:of )?"
       r"(?:my |his |"
       r"her )?" + PILLS + r"\b|\b(?:swallowed|downed|popped) (?:all|every one) (?:of )?(?:them|"
       r"those|these|it)\b|\b(?:did|done|used|had|drank) (?:way )?too (?:much|many) (?:of )?(?:my |"
       r"his |her |the )?" + PILLS + r"\b|\b(?:took|taken|swallowed|popped|snorted|"
       r"injected) (?:way )?too "
       r"(?:much|many)\b(?! (?:time|money|space|work|days|hours|weeks|breaks|classes|credits|"
       r"shifts|questions|photos|pictures|notes|risks|chances|steps|vacation|on|off|of (?:my|his|"
       r"her|the|our) (?:time|money)))|\b" + INGEST + r" (?:[3-9]|\d{2,}|three|four) (?:\w+ )?"
       + STRONG_DRUG + r"\b",
       past=True, pre=_GENERIC_Q,
       post=r"^(?:this morning|today|on time|as prescribed|like (?:\w+ ){0,3}supposed|yet|already|"
       r"every day|daily|for the day|correctly|with food|at night like|a day|per day|each day)\b"),
    _r("medical.mixed_depressants", "medical",
       r"\b(?:mixed|combined|took|popped|did|had|been taking|been mixing|am mixing|is mixing|been "
       r"drinking and|drank|drinking and|used) " + _f(4) + DEPRESSANT + r" " + _f(2)
       + r"(?:with|and|plus|on top of|while|after|then|w) " + _f(4) + r"(?:" + ALCOHOL
       + r"|drinking|drunk|" + DEPRESSANT + r")\b|\b(?:drank|drinking|had|been drinking|downed|"
       r"chugged) " + _f(4) + ALCOHOL + r" " + _f(3) + r"(?:and|then|plus|with|on top of|after) "
       + _f(3) + r"(?:took|popped|taking|had|did|swallowed|used|snorted) " + _f(3) + DEPRESSANT
       + r"\b|\b(?:drunk|wasted|hammered|trashed|smashed|blackout) (?:and|then|plus) " + _f(2)
       + r"(?:took|popped|taking|swallowed|used|snorted) " + _f(3) + DEPRESSANT + r"\b",
       past=True, pre=_GENERIC_Q),
    _r("medical.overdose", "medical",
       r"\b(?:overdo(?:s|ss|se|ze|sse)\w*|over dos\w*|ovrdos\w*|overdsed|od|ods|od ing)\b|\b(?:i|he|"
       r"she|they|we|just|has|have|had|probably|maybe|think|might have|may have|" + FAM + r") odd\b|"
       r"\bodd (?:on|last night|again|earlier|off)\b",
       past=True,
       pre=_GENERIC_Q + r"|" + _TOPIC_BEFORE + r"|\b(?:can|could|is it possible "
       r"to|possible to) (?:you|people|someone|one|a person|anyone|i|he|she|they|my \w+) (?:\w+ )?$|"
       r"\b(?:lost|losing) " + _f(3) + r"to (?:an? )?$|"
       r"\b(?:died|dies|die|dying|death|deaths) (?:of|from) (?:an? )?$|\bif " + _f(3)
       + r"(?:ever )?$|\b(?:is it possible|possible) to $|\bafter (?:his|her|my|their|an?) $|"
       r"\bsurvived (?:an? |his |her |my )?$",
       post=r"^(?:prevention|awareness|deaths?|rates?|risk|risks|crisis|epidemic|reversal|kits?|"
       r"training|class|education|statistics|numbers|signs|symptoms|response|survivors?|"
       r"victims?|on (?:chocolate|sugar|caffeine|coffee|netflix|tv|candy|cookies|cake|carbs|love|"
       r"sun|sunshine|work|kindness|cuteness|memes|pizza|christmas|energy drinks|espresso|tea|"
       r"shopping|exercise))\b"),
    _r("medical.narcan_given", "medical",
       r"\b(?:gave|give|giving|used|use|using|need|needs|administered|sprayed|spray|had to give|"
       r"have to give|should i give|hit (?:him|her|them) with) (?:him |her |them |my \w+ )?(?:a |"
       r"some |two |another |more )?(?:narcan|naloxone|dose of narcan|dose of naloxone|shot of "
       r"narcan)\b",
       neg=False,
       pre=r"\b(?:how to|how do (?:i|you|we)|learn(?:ing)? (?:how )?to|teach\w*|training|know how "
       r"to|if|when|where can|where do)\b(?: [a-z]+){0,3} $"),
    _r("medical.hallucinations", "medical",
       r"\b(?:hallucinat\w*|seeing things|hearing things|hearing voices|seeing bugs|seeing spiders|"
       r"shadow people|shadow figures|seeing shadows|seeing snakes|"
       r"bugs (?:are )?crawling|things (?:are )?crawling|crawling (?:on|under) (?:my|his|her|their) "
       r"skin|things that are not there|people who are not there|(?:seeing|sees|hearing|hears) "
       r"(?:people|things|stuff|bugs|shadows|voices) that (?:are not|is not|were not) there)\b"
       r"(?! (?:more )?(?:clearly|differently|in a new light|for what they are|the way|through))",
       pre=_GENERIC_Q + r"|\b(?:history of|used to)\b(?: [a-z]+){0,2} $"),
    _r("medical.dts", "medical",
       r"\b(?:dts|the dt|delirium tremens|d ts|d t s|the dt s)\b",
       past=True,
       pre=_GENERIC_Q + r"|\b(?:what (?:are|is)|about|risk of|prevent|of)\b(?: [a-z]+){0,2} $",
       post=r"^(?:mean|means|stand for|stands for)\b"),
    _r("medical.withdrawal_symptoms", "medical",
       r"\b(?:shaking|shakes|shaky|tremors|tremoring|trembling|sweating|sweats|drenched in sweat|"
       r"vomiting|throwing up|puking|confused|confusion|disoriented|delirious|heart racing|heart is "
       r"racing|heart pounding|heart is pounding|racing heart|can not stop shaking)\b(?! up\b)",
       need=WITHDRAWAL_CONTEXT,
       sent=r"\b(?:cause|causes|caused by|normal|common|usual|typical|symptoms? (?:of|like|such as|"
       r"include)|signs? of|what (?:are|is|happens)|does|do people|can you|can it|will i|would i|"
       r"is it|in case|what if|how long|expect)\b"),
    _r("medical.sedated", "medical",
       r"\b(?:can not|could not|unable to|trouble|struggling to) (?:stay|keep (?:his|her|my|their) "
       r"eyes) (?:awake|open)\b|\b(?:keeps?|is|been|keeps on|he is|she is|keep) (?:nodding|passing|"
       r"blacking) (?:off|out)\b|\bnodding (?:off|out) and\b|\b(?:going to|about to|gonna|feel like "
       r"i am going to|feel like i will) (?:pass out|black out|faint)\b|\bheart (?:is )?(?:racing|"
       r"pounding|beating (?:really |so )?fast|going crazy|beating out of (?:my|his|her) chest)\b|"
       r"\b(?:is|am|are|keeps?|been) (?:\w+ and )?(?:passing|blacking) out\b|\bbad reaction to "
       r"(?:something|the|some|a|his|her|my|what)\b|\bshaking all over\b|\bheart (?:feels like (?:it "
       r"is|its) going to|is going to|feels like it will) (?:explode|burst|stop|give out|beat out)\b|"
       r"\bcan not feel (?:my|his|her) (?:legs|arms|face|"
       r"body|hands)\b|\bsuper out of it\b|\bso out of it\b|\bout of it and\b",
       need=_SUBSTANCE_OR_WITHDRAWAL, lol=True, pre=_GENERIC_Q),
    _r("medical.passed_out", "medical",
       r"\b(?:passed out|blacked out|collapsed|fainted)\b",
       need=re.compile(
           r"\b(?:pills?|took|overdos\w*|od|blue|vomit\w*|puke|throwing up|choking|breath\w*|hit "
           r"(?:his|her|my) head|will not|can not|not waking|not responding|fentanyl|heroin|xanax|"
           r"bars|percocet|needle|snorted|injected|something)\b"),
       past=True),
    _r("medical.emergency_call", "medical",
       r"\b(?:call|calling|called|dial|dialing|dialed|should i call|need to call|do i call) (?:an? )?"
       r"(?:911|9 1 1|ambulance|ems|paramedics|poison control)\b|\bambulance (?:is )?(?:coming|on "
       r"the way|here)\b",
       pre=_GENERIC_Q + r"|\b(?:policy|when do you|do you ever|would you|will you|if)\b"
       r"(?: [a-z]+){0,3} $"),
    # ---------------------------------------------------------------- suicide: thoughts, self-harm
    _r("suicide.kill_self", "suicide",
       r"\b(?:kil{1,2}|kiling|killing|killed|kills|murder|murdering|end|ending|ended|hurt|hurting|"
       r"hurts|harm|harming|harmed|harms|injure|injuring|cut|cuts|cutting|burn|burning|burned|burnt|"
       r"do something to|doing something to|did something to) " + REFL + r"\b",
       past=True,
       post=r"^(?:off|out|short|loose|some slack|a break|a deal)\b|^(?:\w+ ){0,3}(?:at the gym|"
       r"at work|at practice|lifting|playing|running|working out|"
       r"shaving|cooking|chopping|in the kitchen|by accident|accidentally|on (?:a|the) (?:knife|"
       r"glass|stove|oven|pan|counter)|slowly with|with (?:the|this|his|her|my) (?:drinking|"
       r"drugs|lifestyle)|laughing|lol)|^(?:pretty )?badly(?: in| at| during)",
       pre=r"\b(?:accident|fell|slipped|tripped|sponsor says|doctor says)\b(?: [a-z]+){0,5} $"),
    _r("suicide.self_harm", "suicide",
       r"\bself ?(?:harm\w*|injur\w*|mutilat\w*)\b|\bcutting (?:again|my|his|her|their)\b(?! (?:hair|"
       r"nails|food|meat|bangs|hours|costs|spending|drinking|back|down|losses|grass|lawn|coupons))|"
       r"\b(?:started|been|is|was|keeps?|keep|caught (?:him|her|them)|found out (?:he|she|they) "
       r"(?:is|was|has been)) cutting\b(?! (?:back|down|out|off|class|school|ties|corners|hair|"
       r"grass|wood|carbs|sugar|costs|hours|people|them|it|in|up|the|me|him|her|my|his|their|"
       r"onions|coupons|paper|fabric))|\b(?:fresh |new |deep )?cuts (?:on|all over|up and down) "
       r"(?:my|his|her|their) (?:arms?|legs?|wrists?|thighs?|body|stomach)\b|\b(?:razor|razor "
       r"blades?|blades?|box cutter) " + _f(3) + r"(?:wrists?|arms?|thighs?|skin|veins?)\b|\b(?:urge|"
       r"urges|tempted|craving|cravings|itching|need|needing|want|wanting) to (?:cut|self harm|burn "
       r"myself|harm myself|hurt myself)\b(?! (?:back|down|out|off|ties|class|my hours|hair|the|"
       r"costs|corners|it|that|this))|\bdanger to (?:myself|himself|herself|themselves)\b",
       past=True, lol=True,
       pre=r"\b(?:treat|treats|treating|help with|helps with|about|for|program for)\b(?: [a-z]+){0,2}"
       r" $|\b(?:people|clients|patients|teens|kids|someone|anyone|folks|adults) with (?:a )?$",
       post=r"^(?:history|histories|issues|behaviors?|in the past)\b"),
    _r("suicide.barricaded", "suicide",
       r"\b(?:razor|razor blade|blades?|box cutter|knife|knives|pills|gun|rope|belt|cord)\b"
       r"(?: [a-z]+){0,6} (?:will not|would not|refuses to) (?:come out|open the door|let (?:me|us) "
       r"in)\b|\blocked (?:myself|himself|herself|themselves) in (?:\w+ ){0,4}(?:with|and) (?:a |"
       r"the |his |her |my )?(?:razor|razor blade|blades?|box cutter|knife|knives|pills|gun|rope)\b|"
       r"\b(?:will not|would not|is not|not) (?:answer|answering|respond|responding|open|come out)\b"
       r"(?: [a-z]+){0,6} (?:pills|razor|blades?|gun|rope|knife)\b|\b(?:pills|razor|blades?|gun|"
       r"rope)\b(?: [a-z]+){0,6} (?:will not|would not|is not|not) (?:answer|answering|respond|"
       r"responding|open)\b",
       neg=False),
    _r("suicide.word", "suicide",
       r"\bsu(?:i|e|ei|ie|ia)?[cs]{1,2}(?:i|ie|ei|a)?d(?:e|al|le|ial|aly|ally|es|ed|ing|el|ul|"
       r"ality|e note|al ideation)?\b",
       past=True,
       pre=_TOPIC_BEFORE + r"|\b(?:died by|died of|death by|committed|lost (?:\w+ ){0,3}to|family "
       r"history of|history of|survivors? of|after (?:his|her|their|my)) $",
       post=r"^(?:prevention|awareness|hotline|hotlines|line|lifeline|rates?|statistics|stats|"
       r"squad|movie|film|documentary|book|show|episode|song|research|month|week|day|walk|risk "
       r"assessment|training|resources|(?:\w+ )?(?:number|numbers))\b"),
    _r("suicide.want_to_die", "suicide",
       r"\b(?:want|wants|wanted|wanting|wish|wishes|wished|wishing|hope|hopes|hoping|ready|plan|"
       r"planning|plans|going|trying|try|tried|deserve|deserves|pray|praying|rather|would like|"
       r"need|needs|about|tempted|long|longing|desire|i just|just want|only want|should|should just|"
       r"might as well|may as well|i better) (?:to |too |2 )?"
       r"(?:just |simply |really |fucking |finally |honestly |literally |actually |quietly |"
       r"peacefully |go )?(?:d+i+e+|dye|be dead|be gone(?= forever| for good| permanently| \.| ,|$)|"
       r"go to heaven|be in heaven|be gone forever|not exist|stop existing|cease to exist|"
       r"not be alive|not wake up|never wake up|sleep forever|go to sleep forever|fall asleep "
       r"forever|fall asleep and never wake up|disappear (?:forever|permanently|for good)|vanish "
       r"(?:forever|permanently|for good)|not be here|be with (?:\w+ )?in heaven)\b(?! (?:of "
       r"(?:boredom|embarrassment|laughter|shame|cuteness|hunger)|from (?:embarrassment|boredom|"
       r"laughter|the heat)|laughing|lol))",
       past=True, lol=False,
       pre=r"\b(?:phone|battery|laptop|car|plant|plants|computer|tablet|ipad|iphone|cell|charger|"
       r"signal|wifi|engine|tv|it|this|that|conversation|chat|app|fish|dog|cat|hair)\b"
       r"(?: [a-z]+){0,2} $"),
    _r("suicide.wish_dead", "suicide",
       r"\b(?:feel|feeling|felt) like (?:just )?(?:dying|killing myself|ending it|ending it all|"
       r"disappearing forever|not existing|not waking up)\b|\b(?:hope|hopes|hoping|pray|prays|praying|wish|wishes) (?:that )?(?:i|he|"
       r"she) (?:just )?(?:die|"
       r"dies|die in (?:my|his|her) sleep)\b|\b(?:wish|wishes|wished|wishing|hope|hopes|hoping|pray|"
       r"prays|praying) (?:that )?(?:i|he|she) (?:was|were|could be|"
       r"would be|would just be|is|am|could just be|could|would|had|would just|had just) (?:just )?"
       r"(?:dead|die|died|never (?:been )?born|not (?:born|alive|here)|gone forever|never wake up|"
       r"never woke up|not wake up|not exist|never existed)\b|\bwish (?:i|he|she) (?:did not|would "
       r"not|does not|never) (?:exist|wake up|woke up|existed)\b|\b(?:hope|hoping|pray|praying) "
       r"(?:that )?(?:i|he|she) (?:do not|does not|never|will not|dont) wake up\b|\b(?:better off|"
       r"be better|rather be|would be better) dead\b|\brather (?:be )?dead\b|"
       r"\b(?:fall asleep|go to sleep|sleep|close my eyes|lie down) (?:and|then) (?:just )?(?:never|"
       r"not|not ever) (?:wake up|wake|open them again)\b|\b(?:want|wish|need|ready for|just want) "
       r"(?:it all|everything|all of this|all this|my life|life|it) (?:all )?(?:to )?(?:be over|end)"
       r"\b(?! (?:with|between|on a))|\b(?:want|wish|need) (?:it|this|everything|it all|the pain|"
       r"the suffering|my life|all of this) (?:all )?(?:to )?(?:be over|end|stop) (?:for good|"
       r"forever|permanently)\b",
       past=True),
    _r("suicide.not_live", "suicide",
       r"\b(?:do not|does not|did not|no longer|not|never|can not|could not|will not) (?:really |"
       r"even |honestly |fucking |just )?(?:want|wants|wanna|wish|feel like|see a reason|see any "
       r"reason|see the point|see any point|see why i should|know why i (?:should|would)|have the "
       r"will|have any will|care if i|care to) (?:to |in |anymore to )?(?:live|living|be alive|exist|"
       r"existing|go on|going on|keep going|keep living|continue living|wake up|waking up|stay "
       r"alive|staying alive|keep on living|be here anymore|be here any longer|be around anymore|"
       r"be on this earth|be in this world|be here(?= anymore| any longer| tomorrow| much longer| \.|"
       r"$)|"
       r"live anymore|be alive anymore)\b(?! (?:at|"
       r"in (?:this|the) (?:job|program|class|house|town|city|state|relationship|marriage|school|"
       r"group)|with (?:him|her|them)|for (?:this|the)|with this|in this (?:job|house|town|place|"
       r"relationship)|early|for (?:work|school|class)|on time|alone))|\b(?:not sure|unsure|do not "
       r"know|dont know|doubt|questioning) (?:if |whether |that )?(?:i|he|she|they) (?:even |really |"
       r"still )?(?:want|wants|wanna) (?:to )?(?:live|be alive|be here|keep living|keep going|go "
       r"on|wake up|exist)\b",
       neg=False, past=True),
    _r("suicide.cant_go_on", "suicide",
       r"\b(?:can not|could not|unable to|do not think i can|do not know if i can|do not know how "
       r"(?:much )?(?:longer|more) (?:i|he|she) can|not sure (?:how (?:much )?(?:longer|more) )?i "
       r"can|how (?:much )?(?:longer|more) (?:i|he|she) can) (?:\w+ )?(?:go on|keep going|keep on|"
       r"live like this|keep living|take (?:it|this|much more|any more|the pain) (?:anymore|any "
       r"longer|much longer)|do this anymore|do this any longer|do life|hold on|handle life|survive"
       r" this|keep fighting|take it)\b|\b(?:not sure|do not think|doubt|not going to|might not|may "
       r"not|will not|can not) (?:if |that )?(?:i|he|she|we) (?:will |can |am going to |is going to "
       r")?(?:make it|survive|last|get) (?:through )?(?:the night|tonight|till morning|until morning|"
       r"the weekend|another day|much longer|this one)\b",
       neg=False, past=True,
       post=r"^(?:with|from|at) (?:this|the|my|these|that) (?:\w+ )?(?:insurance|company|job|wait|"
       r"waiting|traffic|paperwork|form|noise|heat|kids|weather|boss|people|phone|hold|line)"),
    _r("suicide.no_reason", "suicide",
       r"\bno (?:reason|point|purpose|will|desire|hope left|more reason) (?:for me |for him |for her "
       r"|left )?(?:in |to |of |for )?(?:live|living|life|being alive|go on|going on|keep going|"
       r"keep living|wake up|waking up|stay alive|staying alive|exist|existing|being here|"
       r"continue|be here|be alive)\b|\bnothing (?:left )?to live for\b|\bno point (?:anymore|any more|"
       r"in anything|to anything|in any of (?:it|this))\b|\b(?:no ?one|nobody|noone|not a soul) "
       r"(?:\w+ ){0,2}(?:cares?|would care|will care|gives a \w+) (?:if|whether) (?:i|he|she) (?:live|"
       r"lives|die|dies|am alive|am dead|disappear|disappeared)\b|\b(?:life|living|my life|"
       r"this life|it) (?:is not|is no longer|was never|will never be|is never|not|really is not) "
       r"(?:worth|worth it|worth living|worth anything)\b(?! (?:the|a|paying|it for|doing|trying|"
       r"going|waiting|getting))|\b(?:what is|is there) (?:the |even a |any )?point (?:of|in) "
       r"(?:living|life|being alive|going on|waking up|existing|it all|anything anymore|trying "
       r"anymore)\b|\b(?:my |this )?life is (?:pointless|meaningless|over|not worth living)\b|"
       r"\b(?:i am|he is|she is|im) (?:so |just |really )?done (?:living|being alive|existing)\b|"
       r"\b(?:tired|sick|exhausted|done) (?:of|with) (?:living|being alive|life|existing|it all|"
       r"everything|breathing)\b|\b(?:give|giving|gave|given) up on (?:life|living|everything|"
       r"myself|being alive)\b",
       past=True),
    _r("suicide.burden", "suicide",
       r"\b(?:better|happier|easier|fine|best) (?:off )?without me\b(?! (?:at|in|on|for) (?:the|this|"
       r"that|work|group|meeting|party|trip))|"
       r"\b(?:every ?one|every ?body|the "
       r"world|world|family|everybody|everyone|people|they|we|all|kids|children) " + _f(3)
       + r"(?:better|happier|easier|fine) off without (?:him|her|them)\b|\b(?:better|easier|happier|"
       r"best|fine|lighter) (?:off )?(?:for (?:every ?one|every ?body|them|you|my \w+|all|the \w+) )?"
       r"(?:if|when|once) (?:i|he|she) (?:was|were|am|is|just|would|could|had)? ?(?:just )?"
       r"(?:gone|dead|died|die|disappeared|disappear|not here|not around|not alive|never born|"
       r"never been born|did not exist|never existed|was not in it|were not in it|not in it|no "
       r"longer here|no longer around|was not here|were not here|was not around|were not around|"
       r"killed (?:myself|himself|herself)|ended it)\b|\b(?:no ?one|nobody|noone|not a soul|not one "
       r"person|none of them|no one at all|not even my \w+) " + _f(3) + r"(?:miss|notice|care|"
       r"mourn|cry|come to (?:my|his|her) funeral)\w* (?:me|him|her|if (?:i|he|she) (?:was|were|"
       r"am|is|just|died|disappeared|killed|ended|left)? ?(?:gone|dead|died|disappear\w*|not here|"
       r"not around|killed|vanished|never came back|never come back|dies|ended)|when (?:i|he|she)"
       r" (?:am|is|was)? ?(?:gone|dead|die|dies))\b|\b(?:i am|i feel like i am|i feel like a|i am "
       r"just|feel like a|i am nothing but|he is|she is|feels like a|thinks he is|thinks she is|"
       r"says he is|says she is) (?:such |only |just |nothing but |a )?(?:a |an )?(?:burden|waste of"
       r" (?:space|air|oxygen|life))\b|\b(?:not|never|nobody|no one|no longer|no more|will not)\b"
       + r" " + _f(2) + r"have to (?:worry|deal|put up|bother|care) (?:about|with) me\b|\b(?:will not|"
       r"wont|not going to) be (?:around|here|a problem|a burden) (?:much longer|for long|anymore|"
       r"for much longer|to see|after tonight)\b",
       past=True,
       pre=r"\b(?:do not want to|not want to|never want to|afraid of)\b(?: [a-z]+){0,2} $"),
    _r("suicide.goodbye", "suicide",
       r"\bthis (?:is|will be) (?:my|the) (?:last|final) (?:message|text|time|goodbye|post)\b|"
       r"\b(?:goodbye|"
       r"good bye) (?:every ?one|every ?body|all|world|y all|guys)\b(?: [a-z]+){0,3} (?:i love you|"
       r"love you|forgive me|i am sorry|sorry|forever)\b|\b(?:i love you|forgive me|i am sorry for "
       r"everything)\b(?: [a-z]+){0,3} (?:goodbye|good bye)\b|\b(?:texted|messaged|sent|wrote|posted|"
       r"emailed) (?:me |us |everyone |his \w+ |her \w+ |a )?(?:goodbye|good bye)\b|\b(?:wrote|"
       r"writing|write|written|left|leaving|leave|typed|typing|posted|posting|sent|"
       r"sending|finished|made|recorded|found|find|read) " + _f(3) + r"(?:goodbye|good bye|suicide|"
       r"farewell|final|last|death) (?:note|letter|message|text|post|video|email|notes|letters)\b|"
       r"\bgoodbye (?:forever|for good|for the last time|cruel world|everyone forever)\b|\b(?:my|a) "
       r"(?:final|last) goodbye\b|\bthis is (?:my )?(?:goodbye|good bye|the end)\b(?! (?:to|of) "
       r"(?:drinking|alcohol|drugs|using|my addiction))|\b(?:saying|said|say) (?:my )?(?:final |last "
       r")?goodbyes? (?:to (?:every ?one|every ?body|my (?:family|kids|friends|mom|dad)) )?"
       r"(?:forever|for good|for the last time)\b|\b(?:giving|gave|give|given) away (?:all )?"
       r"(?:of )?(?:my|his|her|their) (?:stuff|things|belongings|possessions|pets|dog|cat)\b|"
       r"\b(?:giving|gave|give|given) (?:all )?(?:of )?(?:my|his|her|their) (?:stuff|things|"
       r"belongings|possessions) away\b|\blast time (?:you will|anyone will|you all will) "
       r"(?:hear from|see) me\b",
       past=True,
       post=r"^(?:(?:note|letter|message|text|post|video) )?(?:, )?(?:to )?(?:old|alcohol|drinking|"
       r"drugs|booze|using|my addiction|addiction|weed|"
       r"pills|the bottle|my old|cigarettes|smoking|vaping|my past|that life|the old)\b"),
    _r("suicide.end_it", "suicide",
       r"\b(?:end|ending|ended|finish|finishing) (?:it all|my life|(?:his|her|their) (?:own )?life|"
       r"my own life|everything|my suffering|it tonight|it today|it now|it soon|it for good|(?:my|the|"
       r"his|her) (?:pain|suffering) (?:for good|forever|permanently)|things "
       r"tonight|my existence)\b|\b(?:take|taking|took|taken) (?:my|his|her|their) (?:own )?life\b|"
       r"\b(?:going to|want to|wants to|plan to|plans to|planning to|planning on|ready to|about to|"
       r"decided to|need to|gonna|feel like|thinking (?:about|of)|think about|considering|"
       r"contemplating|close to|ready for|tempted to) (?:just )?(?:end|ending|finish|finishing) "
       r"(?:it|things|this(?= (?:tonight|today|now|for good|forever|once|soon|\.|,)|$)|everything)\b"
       r"(?! (?:with|between|off|on a|up|early|today with|call|chat|"
       r"conversation|program|form|relationship|marriage|lease|contract|job|class|session))",
       past=True),
    _r("suicide.end_it_simple", "suicide",
       r"\b(?:i|he|she) (?:will |shall |am going to |is going to |am just going to |just )?(?:end|"
       r"ends) "
       r"it\b(?! (?:with|between|off|on a|up|early|today with|call|chat|conversation|program|form|"
       r"relationship|marriage|lease|contract|job|class|session|here|now lol))",
       past=True),
    _r("suicide.death_talk", "suicide",
       r"\b(?:talks?|talking|talked|thinks?|thinking|thought|thoughts|obsessed|obsessing|"
       r"fantasiz\w+|dreaming|dreams|writing|writes|posting|posts|searching|searched|googling|"
       r"googled|looking up|looked up) (?:a lot |so much |constantly |nonstop |all the time )?"
       r"(?:about|of|on) (?:death|dying|being dead|not being here|not being alive|ending (?:it|his "
       r"life|her life|my life)|killing (?:myself|himself|herself|themselves)|ways to die|how to "
       r"die|suicide methods|hurting (?:myself|himself|herself))\b|\bways to (?:die|kill myself|end "
       r"it|end my life)\b|\bhow to (?:kill myself|end my life|end it all|die painlessly|die "
       r"quickly)\b|\bsuicide methods\b|\b(?:have|got|made|making|with|has) (?:a |the )?plan to "
       r"(?:die|kill|end|take|hurt|jump|overdose|od)\b",
       past=True,
       pre=r"\b(?:how to|how do (?:i|you|we))\b(?: [a-z]+){0,3} $"),
    _r("suicide.note_missing", "suicide",
       r"\b(?:left|found|wrote|leaving|texted|sent) (?:a |his |her |their |me a |us a )?(?:\w+ )?"
       r"(?:note|letter|text|message)\b(?: [a-z]+){0,8} (?:sorry for everything|i love you all|"
       r"take care of|can not find (?:him|her|them)|missing|not answering|will not answer|is not "
       r"answering|gone|goodbye|forgive me)\b",
       neg=False),
    _r("suicide.do_something", "suicide",
       r"\b(?:going to|might|will|scared i will|afraid i will|scared i am going to|afraid i am going "
       r"to|want to|about to|could|gonna) (?:do|try) something (?:to (?:myself|himself|herself)|"
       r"drastic|stupid to myself|permanent|final|(?:stupid|dumb|bad|drastic) (?:tonight|to (?:myself|"
       r"himself|herself)))\b",
       neg=True),
    # ---------------------------------------------------------------- violence
    _r("violence.intent_first_person", "violence",
       r"\b(?:i|we) " + _f(3) + r"(?:going to|want to|will|about to|ready to|plan to|planning to|"
       r"might|could|swear i will|feel like|thinking (?:about|of)|fantasiz\w+ about|urge to|urges "
       r"to|end up|intend to|need to|have to|gonna|am going to) (?:snap and |lose it and |"
       r"lose control and |flip out and |black out and |really |"
       r"actually |fucking |literally |seriously |just |go |come )?(?:kil{1,2}|killing|murder|"
       r"murdering|stab|stabbing|shoot|shooting|strangle|strangling|choke|choking|hurt|hurting|beat|"
       r"beating|beat up|attack|attacking|smash|smashing|poison|poisoning|run over|burn|burning|"
       r"snap and hurt|punch|punching|hit|hitting|slit|cut) (?:up )?(?:the (?:shit|crap|hell|fuck|"
       r"life|living daylights) out of )?" + OBJ_OTHER,
       ineg=True, past=True,
       post=r"^(?:\w+ )?(?:feelings|by|emotionally|if i tell|when i tell|if i leave|if i go|with "
       r"the news|s feelings|trust|chances|in (?:a|the) (?:game|race|match|debate|argument|"
       r"competition)|at (?:chess|cards|pool|poker|basketball))\b",
       pre=r"\b(?:afraid|scared|worried) (?:that )?(?:telling|going|leaving|my)\b(?: [a-z]+){0,4} $"),
    _r("violence.threat_third_person", "violence",
       r"\b" + SUBJ3 + r" " + _f(2) + r"(?:is going to|going to|gonna|will|wants to|want to|is "
       r"about to|about to|plans to|threatened to|threatening to|threatens to|tried to|trying to|"
       r"says (?:he|she|they) (?:will|is going to|wants to|would)|said (?:he|she|they) (?:would|will|"
       r"was going to|is going to|wants to|wanted to)|swore (?:he|she|they) would|is coming to|"
       r"came to) (?:\w+ )?(?:kil{1,2}|murder|stab|shoot|strangle|choke|hurt|beat|beat up|attack|"
       r"poison|run over|burn|hit|punch|finish) (?:up )?" + OBJ_ANY,
       ineg=True, past=True,
       post=r"^(?:\w+ )?(?:feelings|emotionally|with (?:the|his|her) (?:news|words|drinking))\b",
       idiom=_kill_me_idiom),
    _r("violence.threatened", "violence",
       r"\b(?:threaten\w*|threats?) (?:to |that (?:he|she|they) (?:would|will|d) )?" + _f(2)
       + r"(?:kill|hurt|shoot|stab|beat|murder|harm|burn|set fire|torch|strangle|choke)\b(?! "
       + REFL + r")|\bthreaten\w* (?:me|us|my (?:\w+ )?" + FAM + r"|him|her|them|the kids|the "
       r"family)\b|\bdeath threats?\b|\b(?:he|she|they) (?:said|says|swore|texted) (?:he|she|they) "
       r"(?:will|would|is going to|was going to) (?:finish|end) (?:the job|me|it)\b|\bnext time "
       r"(?:he|she|they) (?:will|would|is going to) (?:finish|kill|end)\b",
       past=True),
    _r("violence.weapon_possession", "violence",
       r"\b(?:has|have|had|got|bought|brought|carrying|carries|loading|loaded) (?:a |an |his |her |"
       r"their |my |the |dads |moms |some )?(?:\w+ )?(?:gun|guns|pistol|handgun|rifle|shotgun|"
       r"firearm|ar ?15|knife|knives|machete)\b(?! (?:license|permit|collection|safe|range|show|"
       r"class|control|laws?|rights|owner|store|shop|set|in (?:a|the|his|her) safe))",
       past=True, pre=r"\b(?:always|usually|chef|cook)\b(?: [a-z]+){0,1} $",
       sent=r"\b(?:hunts?|hunting|hunter|scouts?|kitchen|knife set|collection|license|permit|safe|"
       r"range|chef|cook|cooking|for work|at work|camping|fishing|pocket knife|for (?:protection|"
       r"self defense)|does (?:that|it|this) matter|is (?:that|it|this) (?:a problem|ok|okay)|"
       r"policy|allowed|tell you|do i need to|should i mention)\b"),
    _r("violence.weapon", "violence",
       r"\b(?:grabbed|grabbing|grab|pulled|pulling|holding|waving|pointing|pointed|brandish\w*|came "
       r"at me|came after me|coming at me|coming after me|chasing me|chased me|threatened me|"
       r"threatening me|threatening us|swinging|swung) (?:out )?(?:a |an |his |her |their |my |the |"
       r"dads |moms |some |with a |with an |with his |with her )?(?:\w+ )?(?:gun|guns|knife|knives|"
       r"pistol|handgun|rifle|shotgun|firearm|weapon|machete|ar ?15|blade|bat|axe|hatchet|crowbar)"
       r"\b(?! (?:license|permit|collection|safe|range|show|class|control|laws?|rights|owner|store|"
       r"shop))|\b(?:outside|here|at (?:the|my|our) door|in (?:the|my|our) (?:house|yard|driveway|"
       r"room)|waiting|drunk|high|angry|screaming|yelling) " + _f(4) + r"with (?:a|an|his|her) "
       r"(?:gun|knife|pistol|rifle|shotgun|weapon|machete|bat|axe|blade)\b",
       past=True),
    _r("violence.assault", "violence",
       r"\b" + SUBJ3 + r" (?:is |are |was |just |keeps |kept |has been |been |is always |always |"
       r"started |again )?(?:hit|hits|hitting|beat|beats|beating|punch\w*|kick\w*|slap\w*|chok\w*|"
       r"strangl\w*|attack\w*|stab\w*|shot|shoots|shooting at|shov\w*|threw|throwing|throws|rap\w*|"
       r"assault\w*|abus\w*|smack\w*|beat up|beating up|beaten up|burned|burnt|bit|bites|biting) "
       r"(?:up )?(?:me|us|my (?:\w+ )?" + FAM + r"|(?:his|her|their) (?:\w+ )?" + FAM
       + r"|him|her|them|the kids|the baby)\b(?! (?:feelings|to|into (?:treatment|rehab|getting)|"
       r"with (?:the|a) (?:truth|news|bill)))|\b(?:he|she|they) (?:is |was |has been )?(?:hit|"
       r"hitting|beat|beating|punched|choked|strangled) (?:me|us|her|him) up\b|\b(?:i am|i feel like "
       r"i am|he is|she is|they are|might be|could be) (?:a )?danger to (?:others|other people|"
       r"everyone|people|someone|somebody|my (?:\w+ )?" + FAM + r")\b",
       past=True, idiom=lambda m, after, sent: bool(re.search(r"\bhit\w* (?:me|us)$", m))
       and after.startswith("up")),
    _r("violence.strangulation", "violence",
       r"\bhands? (?:around|on|round) (?:my|her|his|their) (?:neck|throat)\b|\b(?:choked|"
       r"strangled|chokes|strangles|choking|strangling) (?:me|us)\b",
       past=True),
    _r("violence.danger", "violence",
       r"\bin (?:immediate |real |serious )?danger\b(?! (?:of|zone))|\b(?:scared|afraid|fear|"
       r"fearing|terrified) for (?:my|our|his|her|their) (?:life|lives|safety)\b|\b(?:not|never) "
       r"(?:feel )?safe (?:at home|here|in (?:my|our|the|this) (?:home|house|apartment)|with (?:him|"
       r"her|them|my \w+)|around (?:him|her|them))\b|\bdo not feel safe (?:at home|here|with (?:him|"
       r"her|them|my)|around (?:him|her|them)|in (?:my|our|this) (?:home|house))\b|\b(?:he|she|"
       r"they) (?:will not|is not|are not|would not) (?:let|letting) me (?:leave|out|go)\b|\blocked "
       r"me in\b|\btrapped me\b|\b(?:trying to|is) (?:break|breaking) in\b|\b(?:trying to break|"
       r"breaking|broke) into (?:my|our|the) (?:house|home|apartment|room|place)\b|\b(?:breaking|"
       r"kicking) "
       r"(?:down )?(?:the|my|our) door\b|\bkicking (?:in )?(?:the|my|our) door\b",
       past=True),
    _r("violence.mass", "violence",
       r"\bshoot (?:up )?(?:the|a|my|this|that|our) (?:school|work|office|place|church|mall|party|"
       r"class|building|store|job|clinic|meeting|campus)\b|\b(?:kill|shoot|murder|hurt) (?:them|"
       r"you|every ?one|every ?body) all\b|\bburn (?:the|this|our|my|his|her) (?:house|place|"
       r"building) down\b",
       ineg=True),
)

RULE_NAMES: FrozenSet[str] = frozenset(rule.name for rule in _RULES)


# ================================================================================================
# Context checks
# ================================================================================================


def _bounds(text: str, start: int, end: int, seps: Tuple[str, ...]) -> Tuple[int, int]:
    left = max((text.rfind(s, 0, start) + len(s) if text.rfind(s, 0, start) >= 0 else 0) for s in seps)
    rights = [text.find(s, end) for s in seps]
    rights = [r for r in rights if r >= 0]
    return left, (min(rights) if rights else len(text))


_SENT_SEPS = (" . ",)
_CLAUSE_SEPS = (" . ", " , ", " but ", " now ", " though ", " although ", " however ", " yet ")


def _negated(before: str) -> bool:
    tokens = before.split()[-5:]
    for i in range(len(tokens) - 1, -1, -1):
        tok = tokens[i]
        if tok in _NEGATORS:
            nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
            if nxt not in _NEG_EXCEPT:
                return True
            continue
        if tok in _STOPS:
            return False
    return False


_CONTRAST = re.compile(
    r"\bbut\b(?: [a-z]+){0,8} (?:sometimes|thinking|thoughts|think about|part of me|scared|afraid|"
    r"urge|urges|might|maybe|keep|tempted|can not stop|plan|want to|feel like)\b"
)


def _past_lead(before: str) -> bool:
    """'used to' / 'history of' directly governing the match."""
    tokens = before.split()[-6:]
    tail: List[str] = []
    for tok in reversed(tokens):
        if tok in _STOPS and tok not in ("i", "he", "she", "they"):
            break
        tail.insert(0, tok)
    return bool(_PAST_LEAD.search(" ".join(tail)))


def _is_past(text: str, start: int, end: int) -> bool:
    s0, s1 = _bounds(text, start, end, _SENT_SEPS)
    sentence = text[s0:s1]
    recent_text = _NOT_RECENT_AGAIN.sub(" ", sentence)
    if _RECENT.search(recent_text):
        return False
    if _JUST_BEFORE.search(text[max(s0, start - 6):start]):
        return False
    c0, c1 = _bounds(text, start, end, _CLAUSE_SEPS)
    clause = text[c0:c1]
    if _PAST_TIME.search(clause) or _RECOVERED.search(clause):
        return True
    return _past_lead(text[c0:start])


def _accept(rule: _Rule, text: str, match: "re.Match[str]") -> bool:
    start, end = match.span()
    s0, s1 = _bounds(text, start, end, _SENT_SEPS)
    sentence = text[s0:s1]
    c0, _ = _bounds(text, start, end, _CLAUSE_SEPS)
    before = text[max(c0, start - 120):start]
    after = text[end:min(s1, end + 80)].lstrip()
    if rule.need is not None and not rule.need.search(text):
        return False
    if rule.lol and _LOL.search(sentence):
        return False
    if rule.pre is not None and rule.pre.search(before):
        return False
    if rule.post is not None and rule.post.match(after):
        return False
    if rule.sent is not None and rule.sent.search(sentence):
        return False
    if rule.idiom is not None and rule.idiom(match.group(0), after, sentence):
        return False
    if rule.neg or rule.ineg:
        negated = (rule.neg and _negated(before)) or (
            rule.ineg and re.search(r"\b(?:not|never)\b", match.group(0)) is not None
        )
        if negated and not _CONTRAST.search(text[end:s1]):
            return False
    if rule.past and _is_past(text, start, end):
        return False
    return True


# ================================================================================================
# Public API
# ================================================================================================


def detect_crisis(text: str) -> Optional[SafetySignal]:
    """A SafetySignal when the message signals imminent risk, else None.

    Rules are tried in priority order (suicidal intent with means, medical emergencies, suicidal
    thoughts and self-harm, violence); the first rule that fires decides the kind.
    """
    if not text or not text.strip():
        return None
    variants = _variants(text)
    for rule in _RULES:
        for variant in variants:
            for match in rule.pattern.finditer(variant):
                if _accept(rule, variant, match):
                    return SafetySignal(kind=rule.kind, rule=rule.name)
    return None


def crisis_words_explained_away(text: str) -> bool:
    """True when crisis words occur but every match was ruled out (negated, in the past, an idiom,
    a general question). The classifier tends to fire on such words alone; this lets the NLU layer
    overrule it with the same evidence, while a message the rules know nothing about is left to it.
    """
    if not text or not text.strip() or detect_crisis(text) is not None:
        return False
    return any(
        rule.pattern.search(variant) is not None for rule in _RULES for variant in _variants(text)
    )


# ------------------------------------------------------------------------------------------------
# Medical advice requests
# ------------------------------------------------------------------------------------------------

_DRUG = _alt(
    "xanax|klonopin|valium|ativan|librium|chlordiazepoxide|benzos|benzo|ambien|suboxone|subutex|"
    "buprenorphine|methadone|naltrexone|vivitrol|antabuse|disulfiram|acamprosate|campral|"
    "gabapentin|neurontin|lyrica|phenobarbital|oxy|oxycodone|percocet|fentanyl|heroin|opiates|"
    "opioids|kratom|tramadol|adderall|ritalin|vyvanse|zoloft|prozac|lexapro|wellbutrin|effexor|"
    "antidepressants|antidepressant|seroquel|trazodone|lithium|benadryl|tylenol|advil|ibuprofen|"
    "melatonin|clonidine|loperamide|imodium|baclofen|topamax|meds|medication|medications|pills|"
    "weed|marijuana|cbd|thc|alcohol|beer|wine|liquor|vodka|drinks|drinking|booze|coke|cocaine|"
    "meth|nicotine|my prescription|edibles|vitamins|thiamine|naloxone|narcan|lean|dope|sleeping "
    "pills|painkillers|muscle relaxers|insulin|strips|subs|sub|bupe|xans|bars|percs|norco|vicodin|"
    "hydrocodone|morphine|ambien|klonopin|librium|ativan"
)
_ADVICE_RULES: Tuple[Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        # how much / how many of a drug to take or drink
        r"\bhow (?:much|many) (?:(?!(?:cost|costs|pay|money|time|hours?|days?|weeks?|sessions?|"
        r"people|copay|long|groups?|does it cost|visits?|classes)\b)[a-z0-9]+ ){0,5}?(?:should|can|"
        r"could|do|would|to|is it safe to|is safe to|is ok to|is okay to|is too much to|is safe|is "
        r"too much|is too many|is ok|is okay|for|per day|a day|each day|before) (?:i |he |she |we |"
        r"you |they |one |my \w+ )?(?:take|give|use|drink|have|smoke|snort|inject|pop|dose|start|"
        r"double|cut|taper|drop|reduce|lower|up)\b",
        r"\bhow (?:much|many) (?:mg|milligrams|ml|mls|pills|tablets|tabs|doses|drinks|units|bars|"
        r"strips|beers|shots|ounces|grams)\b(?: (?:of )?\w+)? (?:should|can|of|to|do|for|is|a day|"
        r"per)\b",
        # dose / dosage framed as a question or instruction
        r"\b(?:what|which|right|correct|safe|max|maximum|starting|recommended|proper|best|normal|"
        r"good|typical) (?:\w+ ){0,2}?(?:dose|doses|dosage|dosing|mg|amount(?= of (?:\w+ )?" + _DRUG
        + r"))\b(?: of| for|"
        r" should| to| do)",
        r"\b(?:double|increase|decrease|lower|raise|reduce|cut|halve|split|up|skip|change) (?:my|his|"
        r"her|the) (?:\w+ )?(?:dose|dosage|meds|medication|pills|prescription)\b",
        r"\b(?:dose|dosage|dosing) (?:of|for) (?:\w+ ){0,2}" + _DRUG
        + r"\b(?: (?:\w+ ){0,3}(?:should|would|for|to|do))?",
        # tapering / weaning
        r"\b(?:taper\w*|wean\w*) (?:\w+ ){0,3}?(?:schedule|plan|calendar|chart|guide|protocol)\b",
        r"\b(?:how|what is the best way|best way|safest way|fastest way|how fast|how quickly|how "
        r"slowly|how long|how many days|can i|could i|should i|should he|should she|help me|give me|"
        r"tips) (?:\w+ ){0,8}?(?:taper\w*|wean\w*)\b",
        r"\b(?:taper\w*|wean\w*) (?:myself|himself|herself|off|down|from|my|his|her)\b(?: \w+){0,5}"
        r" (?:how|fast|quickly|slowly|schedule|plan|at home|on my own|by myself|safely)\b",
        # home / self detox
        r"\bhome detox\b|\bdetox(?:ing)? (?:\w+ ){0,3}?(?:at home|myself|on my own|by myself|alone|"
        r"without (?:a |going to |medical |any )?(?:\w+ )?(?:doctor|hospital|rehab|help|facility|"
        r"supervision))\b|\bself ?detox\w*\b|\bdetox (?:myself|himself|herself)\b",
        # (home / self withdrawal with advice framing: see _HOME_WITHDRAWAL below)
        r"\bhow long (?:after|before|until|till|should i wait|do i wait|do i have to wait|do i need to "
        r"wait) (?:\w+ ){0,5}?(?:can|should|do|could) (?:i|he|she|we) (?:take|start|use|drink|give|"
        r"dose)\b",
        r"\bhow (?:do|can|should|would|could|to|does one|do you|do people) (?:i |we |he |she |you |"
        r"one |my \w+ )?(?:safely |best |quickly |actually |possibly )?(?:detox|withdraw|taper|"
        r"wean|come off|get off|stop taking|quit taking|come off of|get off of)\b(?! (?:into|for|in|"
        r"a program|program|center|\w+ program))",
        # what to take
        r"\bwhat (?:\w+ ){0,3}?(?:can|should|could|do) (?:i|he|she|we|you|my \w+) (?:take|use|give"
        r"(?: him| her| them)?|drink) (?:\w+ ){0,2}?(?:for|to (?:help|stop|ease|manage|with|get "
        r"through|deal|sleep|calm))(?: \w+){0,4}? (?:withdrawal|withdrawals|detox|detoxing|shakes|"
        r"sleep|cravings|anxiety|pain|come down|comedown|hangover|dope sickness|sick|dts|coming off|"
        r"getting off|symptoms)\b",
        r"\bwhat (?:otc |over the counter |\w+ )?(?:meds|medications?|medicines?|drugs?|pills|"
        r"supplements|remedies|vitamins)(?: \w+){0,3}? (?:help|helps|work|works|to take|are good|"
        r"should|can)\b(?: \w+){0,4} (?:withdrawal|withdrawals|detox|sleep|cravings|shakes|anxiety|"
        r"come down|hangover|dts|sick)\b",
        # change / stop medication
        r"\b(?:can|could|should|is it (?:ok|okay|safe|fine|bad) to) (?:i |he |she |we |"
        r"my \w+ )?(?:take|"
        r"use|try|give (?:him|her|them)) (?:some |my |his |"
        r"her )?" + _DRUG + r"\b(?: \w+){0,2}? (?:to|for)"
        r" (?:sleep|withdrawal|withdrawals|detox|get off|come off|quit|stop|help|the shakes|shakes|"
        r"cravings|calm|taper|wean|ease)\b",
        r"\bhow (?:much|many) (?:\w+ )?(?:is|are) (?:too much|too many|safe|ok|okay|lethal|deadly|"
        r"a safe "
        r"amount|a lot)\b",
        r"\bshould (?:i|he|she|we|my \w+) (?:\w+ )?(?:stop|quit|keep|start|increase|decrease|lower|"
        r"reduce|double|raise|up|skip|cut|split|halve|change|switch)(?: \w+){0,2}? (?:my |his |her |"
        r"the |taking )?(?:\w+ )?(?:" + _DRUG + r"|dose|dosage)\b",
        r"\b(?:can|could) (?:i|he|she|we) (?:just )?(?:stop|quit|increase|decrease|lower|reduce|double|"
        r"raise|up|skip|cut|split|halve|switch)(?: \w+){0,2}? (?:my |his |her |the |taking )?(?:\w+ )?"
        r"(?:" + _DRUG + r"|dose|dosage)\b",
    )
)
# Withdrawing at home / alone / cold turkey, asked as a how-to or is-it-safe question.
_HOME_WITHDRAWAL = re.compile(
    r"\b(?:withdraw|come off|coming off|get off|getting off|quit|quitting|stop|stopping|kick|get "
    r"clean|get sober|detox|taper|wean)\b(?: \w+){0,4}? (?:at home|on my own|by myself|alone|cold "
    r"turkey|without (?:\w+ ){0,2}?(?:doctor|hospital|rehab|help|facility|supervision|meds|"
    r"medication))\b"
)
_ADVICE_FRAMING = re.compile(
    r"\b(?:how|can|could|should|is it|safe|safely|best way|safest way|tips|what|help me|is there a "
    r"way|advice|steps)\b"
)
# "can I mix / take X with Y", "is it ok to drink on Z"
_MIX_FRAME = re.compile(
    r"\b(?:can|could|should|is it (?:ok|okay|safe|fine|bad|dangerous|alright)|what happens if|will "
    r"it|would it be|am i allowed to|ok to|okay to|safe to|fine to|dangerous to|bad to)\b(?: \w+){0,3}?"
    r" (?:mix|mixing|combine|combining|take|taking|drink|drinking|use|using|smoke|smoking|have|do|"
    r"pop)\b(?P<rest>(?: \S+){1,12})"
)
_MIX_LINK = re.compile(r"\b(?:with|and|while on|on|while taking|together|plus|after|before|w)\b")
_DRUG_RE = re.compile(r"\b" + _DRUG + r"\b")
_ADVICE_EXCLUDE = re.compile(
    r"\b(?:do you|does (?:the|your) (?:program|iop|team|staff|doctor|psychiatrist)|will (?:the|"
    r"your) (?:program|iop|team|staff)|(?:doctor|psychiatrist|prescriber|nurse) (?:will|can|"
    r"would|who) |help me taper with|put me on a|you (?:treat|offer|prescribe|provide|accept)|"
    r"who (?:do|should|can) i (?:talk|ask|speak))\b"
)


def is_medical_advice_request(text: str) -> bool:
    """True when the message asks for dosing, a taper schedule, how to detox/withdraw at home,
    how much of a drug to take, or about mixing drugs. General questions ("do I need detox before
    IOP?", "is withdrawal dangerous?") are not advice requests."""
    if not text or not text.strip():
        return False
    for variant in _variants(text):
        for sentence in variant.split(" . "):
            if _ADVICE_EXCLUDE.search(sentence):
                continue
            if any(p.search(sentence) for p in _ADVICE_RULES):
                return True
            if _HOME_WITHDRAWAL.search(sentence) and _ADVICE_FRAMING.search(sentence):
                return True
            m = _MIX_FRAME.search(sentence)
            if m and _MIX_LINK.search(m.group("rest")):
                verb_implies_substance = re.search(
                    r"\b(?:drink|drinking|smoke|smoking)\b", m.group(0)[: m.start("rest") - m.start()]
                )
                drugs = len(_DRUG_RE.findall(m.group("rest")))
                if drugs >= 2 or (drugs >= 1 and verb_implies_substance):
                    return True
    return False
