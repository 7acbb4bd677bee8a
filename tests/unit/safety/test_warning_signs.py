"""The two tiers: warning signs get the check-in, definite crises the crisis reply, general questions
and films are asked about rather than treated as an emergency, and Spanish has rules of its own."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from bot.safety import assess, detect_crisis
from bot.safety.data import SAFETY_DIR, SafetyDataError
from bot.safety.rules import load_rules


@pytest.mark.parametrize(
    "text, tier, kind",
    [
        # the messages of the issue that raised the two tiers
        ("how many tylenol would it take", "possible", "suicide"),
        ("I wrote letters to my kids in case I'm not here", "possible", "suicide"),
        ("I bought a rope", "possible", "suicide"),
        ("mixing fentanyl and xanax tonight and I don't care what happens", "possible", "suicide"),
        ("I'm mixing fent and xanax tonight and honestly I don't care what happens", "definite", "medical"),
        ("Does your program treat people who had suicidal thoughts in the past?", None, None),
        # means and quantities
        ("is 40 advil enough to do damage", "possible", "suicide"),
        ("I keep counting my pills every night", "possible", "suicide"),
        ("my dad's pistol is in the nightstand and I know the code", "possible", "suicide"),
        # preparation and farewells
        ("I picked a date", "possible", "suicide"),
        ("found a new home for my cat, everything is finally in order", "possible", "suicide"),
        ("gave away most of my clothes and my guitar this week", "possible", "suicide"),
        ("it was nice knowing some of you", "possible", "suicide"),
        ("this is my last message", "definite", "suicide"),
        # hopelessness
        ("I don't see a way out of this", "possible", "suicide"),
        ("nothing helps anymore, I'm out of options", "possible", "suicide"),
        ("I'm tired of everything", "possible", "suicide"),
        # after an overdose or an attempt
        ("i wish it had worked", "possible", "suicide"),
        ("i'll do it right next time", "possible", "suicide"),
        ("i wish it had worked out with my ex", None, None),
        ("we will do it better next time with the intake forms", None, None),
        # reckless use
        ("my tolerance is gone after rehab but I'm doing the same amount tonight", "possible", "suicide"),
        ("if I die I die, I'm using alone tonight", "possible", "suicide"),
        ("threw out my narcan, what's the point", "possible", "suicide"),
        # a past attempt with distress now, and without
        ("I attempted last year and lately the thoughts are back", "possible", "suicide"),
        ("I attempted 5 years ago and I'm doing well now, is IOP right for me?", None, None),
        # someone else, violence, a medical emergency not named as one
        ("my son has a plan and a date, what do I do", "possible", "suicide"),
        ("he's banging on the door and I'm hiding in the bathroom", "possible", "violence"),
        ("my husband hasn't moved in an hour and there's a needle next to him", "possible", "medical"),
        ("he said he'd kill me if I go to treatment", "definite", "violence"),
        # general questions and stories are asked about, not treated as an emergency
        ("What are the signs of an opioid overdose?", "possible", "medical"),
        ("Why is mixing benzos and opioids so dangerous?", "possible", "medical"),
        ("my son took 30 pills and won't wake up", "definite", "medical"),
        ("can't breathe after snorting something", "definite", "medical"),
        # Spanish
        ("me quiero morir", "definite", "suicide"),
        ("no quiero vivir", "definite", "suicide"),
        ("me voy a matar", "definite", "suicide"),
        ("sobredosis", "definite", "medical"),
        ("ya no aguanto más", "possible", "suicide"),
        ("compré una soga hoy", "possible", "suicide"),
        ("no me quiero morir, solo quiero dejar de tomar", None, None),
        ("mi hermano tuvo una sobredosis hace dos años, ¿pueden ayudar?", None, None),
        # said in passing, inside a practical message
        ("ok I'll come in Monday, if I'm still here by then", "possible", "suicide"),
        ("I won't be needing the intake slot after this weekend", "possible", "suicide"),
        ("how much is it per week? or should I just end things", "possible", "suicide"),
        ("can I do evenings, I don't trust myself alone at night", "possible", "suicide"),
        ("what's the highest bridge around here", "possible", "suicide"),
        ("same dose as before jail tonight, if my heart stops it stops", "possible", "suicide"),
        # jokes and suppositions are asked about, not ignored and not treated as an emergency
        ("if I fill out one more form I'm gonna jump out a window lol", "possible", "suicide"),
        ("my son said he'd rather die than go to the picnic", "possible", "suicide"),
        ("what happens if I tell my counselor I'm having suicidal thoughts?", "possible", "suicide"),
        ("3 overdoses, all behind me now, 18 months clean, I need structure", None, None),
        # asides, shorthand and quiet endings
        ("been tryna end it for weeks", "possible", "suicide"),
        ("ready 2 hang fr", "possible", "suicide"),
        ("si really bad again", "possible", "suicide"),
        ("xans lined up on the dresser", "possible", "suicide"),
        ("if rehab doesnt work this time i have a backup plan", "possible", "suicide"),
        ("this only ends one way for me", "possible", "suicide"),
        ("I'm not worth saving", "possible", "suicide"),
        ("nothing is ever going to change for me", "possible", "suicide"),
        ("who gets my file after I die", "possible", "suicide"),
        ("not gonna hurt myself, I'm just done.", "possible", "suicide"),
        ("going out tonight and not planning on coming back from it", "possible", "suicide"),
        ("my brother keeps posting really dark stuff", "possible", "suicide"),
        ("ojalá no amanezca", "possible", "suicide"),
        ("they'll pay for what they did, I know where they live", "possible", "violence"),
        ("narcan woke her up but now she's nodding again", "possible", "medical"),
        # a laugh, someone else's words reported, a stated reason to ask
        ("i want to be dead lol", "possible", "suicide"),
        ("dead inside lol", "possible", "suicide"),
        ("she told me yesterday that she wants to die", "definite", "suicide"),
        ("that phone wants to die every afternoon", None, None),
        ("he stopped drinking 3 days ago and now he's shaking and doesn't know where he is", "definite", "medical"),
        ("lowkey wna disappear forever", "definite", "suicide"),
        ("my son doesn't see the point anymore", "possible", "suicide"),
        ("I don't see the point of group therapy", None, None),
        ("he says he should have died in the crash with his friend", "possible", "suicide"),
        ("stopped my heart pills, I'll let nature take its course", "possible", "suicide"),
        ("we let nature take its course with the garden", None, None),
        ("do u guys have night groups", None, None),
        ("I picked a night", "possible", "suicide"),
        ("every night I pray the Lord takes me", "possible", "suicide"),
        ("if I disappeared they would be better off", "possible", "suicide"),
        # near-misses stay quiet
        ("I want to end it with my dealer for good", None, None),
        ("is there a backup plan if my insurance denies it", None, None),
        ("what happens to my spot if I'm sick that week", None, None),
        ("ojalá me acepten en el programa", None, None),
        ("who is going to pay for this program", None, None),
        ("this commute is killing me", None, None),
        ("I'm moving so I've been giving away my stuff", None, None),
        ("I'm done with drinking, how do I start?", None, None),
        ("what's the point of this chat", None, None),
        ("how many hours a week is the program", None, None),
        # ordinary program questions that looked like warning signs, and the signs they sit beside
        ("my boss won't let me leave before 6pm. Do you have evening groups?", None, None),
        ("I can't leave my kids for a month, is there something in between", "possible", "violence"),
        ("he won't let me leave the house", "definite", "violence"),
        ("he wont let me leave until i hand over my paycheck", "definite", "violence"),
        ("how long til im done", None, None),
        ("i'm done.", "possible", "suicide"),
        ("what if im not ready to quit all the way yet", None, None),
        ("she's scared that if she's not clean they'll turn her away", None, None),
        ("in case im not here tomorrow", "possible", "suicide"),
        ("if im not around anymore take care of my dog", "possible", "suicide"),
        ("are the tests random or on a set day each week", None, None),
        ("i picked a date", "possible", "suicide"),
        ("relapsed on fentanyl and part of me wants to do a program far away", None, None),
        ("shot up alone last night and part of me wanted it to happen", "possible", "suicide"),
        ("i smoked weed yesterday, does that mean i can't come to the assessment", None, None),
        ("she wont come to", "definite", "medical"),
        ("Before I go any further, what is IOP exactly?", None, None),
        ("i wanted to say thank you before i go", "possible", "suicide"),
        ("tell my mom i said goodbye", "possible", "suicide"),
        ("tell the front desk i said hi", None, None),
        ("my wife wants to know how many hours a week it takes up", None, None),
        ("how many pills would it take", "possible", "suicide"),
        ("Will they kick my son out if he relapses?", "possible", "violence"),
        ("he keeps kicking me", "definite", "violence"),
        ("can i skip the steps if i'm not religious", None, None),
        ("i cant leave my mom alone, she has dementia. can i do this from home", "possible", "violence"),
        ("is there any follow up after im done", "possible", "suicide"),
        ("how long til im done with the program", None, None),
        # shakes every morning until the first drink: ask, and answer the detox question after a "no"
        ("my husband gets the shakes every morning until he has a drink. Does he need detox?", "possible", "medical"),
        ("shaky hands in the morning if i dont drink. detox first?", "possible", "medical"),
        ("i get the shakes when i try to quit. do i need detox first", "possible", "medical"),
        ("he stopped drinking 3 days ago and now he's shaking", "definite", "medical"),
        ("I get the shakes if I stop. Can I start IOP while I'm still going through withdrawal?", "possible", "medical"),
        ("im confused by all the levels. detox, residential, php, iop. can someone put them in order", None, None),
        ("he stopped drinking and now he's confused about where he is", "definite", "medical"),
        ("he quit drinking and he's shaking every time he stands up and sweating buckets", "definite", "medical"),
        ("she gets the shakes every morning when she doesnt drink and today she cant stop shaking", "definite", "medical"),
        ("he gets the shakes every morning when he doesnt drink and he is confused", "definite", "medical"),
        # risk told without the words suicide, kill or die, often after an answer to a fit-check question
        ("googling lethal doses", "possible", "suicide"),
        ("yes daily, and im drinking to get the nerve up", "possible", "suicide"),
        ("yes she drinks daily and she said tonight is her last night", "possible", "suicide"),
        ("yeah ER last month, it was on purpose", "possible", "suicide"),
        ("yes i hear voices, they tell me to hurt my kids", "possible", "suicide"),
        ("havent slept in 6 days, the voices want me dead", "possible", "suicide"),
        ("safe from others, not from myself", "possible", "suicide"),
        ("home's safe, i'm the danger", "possible", "suicide"),
        ("yeah i drink daily and idc if it kills me", "possible", "suicide"),
        ("she ran into traffic", "possible", "suicide"),
        ("i need an ambulance", "definite", "medical"),
        # ... and what only sounds like it
        ("he broke the lamp on purpose", None, None),
        ("the crash was not an accident, the other guy ran the light", None, None),
        ("i hear voices sometimes but they dont say anything bad", None, None),
        ("i got the courage to call you today", None, None),
        ("no. my daughter overdosed once but it wasn't on purpose, the doctors agreed", None, None),
        ("do you send an ambulance to pick people up", None, None),
        # danger told in passing: a goodbye that is final, being asked who gets one's things, doubting
        # one lives to a date, driving impaired, drugs one cannot name, hands put on someone, an order
        # of protection broken now, someone waiting outside her home; "has no gun" is asked about
        ("goodnight. for real this time", "possible", "suicide"),
        ("signing off permanently", "possible", "suicide"),
        ("my sister asked me who i'd want to have her guitar", "possible", "suicide"),
        ("i dont think ill make it past the weekend", "possible", "suicide"),
        ("not sure i'll make it to christmas", "possible", "suicide"),
        ("driving home from the bar, i'm hammered but who cares", "possible", "suicide"),
        ("my husband drives drunk with the kids in the car", "possible", "suicide"),
        ("keep nodding off at the wheel on the way back from copping", "possible", "suicide"),
        ("trying some random pills my roommate left", "possible", "suicide"),
        ("i just take random pills people give me", "possible", "suicide"),
        ("how much are helium tanks", "possible", "suicide"),
        ("every time he drinks he puts his hands on me", "possible", "violence"),
        ("he has a restraining order and he's parked outside my house right now", "possible", "violence"),
        ("he's parked outside her apartment again", "possible", "violence"),
        ("he says he has no gun but i saw it in his truck", "possible", "violence"),
        ("i have no gun, no pills stashed, nothing like that", "possible", "violence"),
        # ... and what only sounds like it
        ("bye bye meth for real this time", None, None),
        ("thanks bye for real this time haha", None, None),
        ("ok thanks, logging off for good tonight, ill call tomorrow", None, None),
        ("the intake form asks who should get my records", None, None),
        ("not sure i'll make it to monday's group, my car is in the shop", None, None),
        ("not sure im making it to the 15th orientation", None, None),
        ("is it safe to drive after my suboxone dose", None, None),
        ("my high school friend is driving me to intake", None, None),
        ("i drive my drunk husband home from the bar every weekend", None, None),
        ("every time i drive past the liquor store i want to get drunk", None, None),
        ("when i was drinking i drove drunk all the time, 3 yrs sober now", None, None),
        ("trying random stuff to help me sleep like melatonin", None, None),
        ("i work at party city and refill helium tanks all day", None, None),
        ("the pastor laid his hands on me and prayed for my recovery", None, None),
        ("my sponsor puts his hands on my shoulder when i cry", None, None),
        ("im parked outside his house to drive him to intake", None, None),
        ("my friend is waiting outside her apartment for me", None, None),
        ("my wifi is dying, if i drop off the zoom session thats why", None, None),
        ("my phone is dying so quick q: what time does group start", None, None),
        ("goodnight, see you at group tomorrow", None, None),
        # a count swallowed just now, flying off a roof
        ("took like 15 just now", "possible", "suicide"),
        ("she took 30 an hour ago", "possible", "suicide"),
        ("i can fly, gonna prove it", "possible", "suicide"),
        ("he thinks he can fly, he is on the roof and says watch me", "possible", "suicide"),
        ("i took 2 just now for my headache", None, None),
        ("the bus took like 15 just now", None, None),
        ("sometimes i feel like i can fly when i run", None, None),
        # not safe with oneself, "checking out" soon, disappointed to have lived
        ("i need help now, im not safe", "possible", "suicide"),
        ("i dont feel safe with myself tonight", "possible", "suicide"),
        ("yes, im planning to check out soon", "possible", "suicide"),
        ("yes twice and i was disappointed i lived", "possible", "suicide"),
        ("im not safe at home", "definite", "violence"),
        ("is it safe to take xanax with iop", None, None),
        ("i want to check out the program soon", None, None),
        ("i was not safe back then", None, None),
        ("he is not safe around kids when he drinks", None, None),
        # "he'll kill me if i leave" is a threat, "my mom will kill me if i leave the dishes" a figure of speech
        ("he'll kill me if i leave", "definite", "violence"),
        ("he is going to kill me if he finds out i talked to you", "definite", "violence"),
        ("my mom will kill me if i leave the dishes again", None, None),
        ("my mom will kill me if she finds out", None, None),
        # a person in or on the device is dying: still the crisis reply
        ("my dad is in the car he is dying", "definite", "medical"),
        ("someone in the car is dying", "definite", "medical"),
        ("the guy on the phone is dying", "definite", "medical"),
    ],
)
def test_tiers(text: str, tier: Optional[str], kind: Optional[str]) -> None:
    signal = assess(text)
    assert (signal.tier if signal else None) == tier, f"{text!r}: {signal}"
    if signal is not None:
        assert signal.kind == kind
        assert (detect_crisis(text) is not None) == (tier == "definite")


def test_spanish_rules_name_their_language() -> None:
    signal = assess("me quiero morir")
    assert signal is not None and signal.language == "es"
    signal = assess("I want to die")
    assert signal is not None and signal.language == "en"


def test_a_question_about_amounts_is_answered_with_the_dosing_refusal_after_no() -> None:
    signal = assess("how many tylenol would it take")
    assert signal is not None and signal.after_no == "medical_advice"


def test_a_definite_crisis_elsewhere_in_the_message_wins_over_a_question() -> None:
    signal = assess("What happens with an overdose? my son took 30 pills and won't wake up")
    assert signal is not None and signal.definite


def _copy_safety_data(tmp_path: Path) -> Path:
    for path in SAFETY_DIR.glob("*.yml"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "edit, message",
    [
        (("kind: suicide\n    after_no: medical_advice", "kind: suicide\n    after_no: greet"), "after_no must be"),
        (("id: suicide.hopeless\n", "id: suicide.word\n"), "already used in crisis_rules.yml"),
        (("    language: es\n", "    language: fr\n"), "unknown language"),
    ],
)
def test_a_mistake_in_the_warning_signs_is_named(tmp_path: Path, edit, message: str) -> None:
    directory = _copy_safety_data(tmp_path)
    path = directory / "warning_signs.yml"
    old, new = edit
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SafetyDataError, match=message):
        load_rules(directory)


# Narrowings of the warning signs must not open a gap: each of these was caught before them and
# still is (an independent review aimed these at exactly the narrowed spots).
STILL_CAUGHT = [  # (message, whether it must get the crisis reply rather than the check-in)
    ("my husband gets the shakes in the morning if he does not drink and he has fits", True),
    ("he gets the shakes in the morning if he has not had a drink and he sees bugs on the walls", True),
    ("he gets the shakes every morning if he doesnt drink. last nite he was twitching and jerking all over", True),
    ("she shakes every morning until she has her first drink and she has been 4 days without a drink", True),
    ("i have the urge to cut all the way down my arm", True),
    ("i want to cut right back into my old scars", True),
    ("my husband wont let me leave home for anything he took the car keys", False),
    ("i can not leave my kids with him he puts his hands on them", False),
    ("i will keep taking them till i am done", False),
    ("after i am done tonight nobody has to worry about me anymore", False),
    ("if i am not yet dead by morning i will try again", False),
    ("if i am not at home when you get back do not go in the garage", False),
    ("i have a set date to do it", False),
    ("my son nodded out and will not come to group starts in 10 min what do i do", True),
    ("he kicked me out for going to iop and then hit me", True),
    ("before i go to the bridge tonight i wanted to tell someone", False),
    ("how many days worth of my meds is too much at once", False),
    ("part of me wants to try it , just take the whole bottle", False),
    ("how many minutes in the garage with the car running would it take", False),
    ("honestly I don't know if I'll still be around by then", False),
    ("dont know how much longer i can keep doing this. living i mean", False),
    ("i keep picturing bringing my dads gun to that office", False),
    ("i have it planned for a set day when i will not be found", False),
    ("im going to a better place soon, tell my kids i love them", False),
    ("how many times the normal dose of insulin would it take", False),
]


@pytest.mark.parametrize("text, definite", STILL_CAUGHT)
def test_narrowed_rules_still_catch_what_they_caught(text: str, definite: bool) -> None:
    signal = assess(text)
    assert signal is not None, text
    if definite:
        assert signal.definite, f"{text!r}: {signal}"
