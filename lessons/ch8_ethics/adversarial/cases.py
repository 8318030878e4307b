"""Lesson 8.4's dual-use case studies: what a technique was built for, what else it does.

Each case names its sources (authors, year, title) so a reader can check them; no case quotes
a statistic.  A question marked "hypothetical" is an invented scenario for discussion.
"""

from __future__ import annotations

from lessons.ch8_ethics.adversarial.texts import Case

ATTACK = Case(
    "Case 1: the attack itself",
    "The trick you just ran cuts both ways. Eykholt et al. (2018) put printed stickers on "
    "real stop signs so that a road-sign classifier read another sign. Shan et al. (2020) "
    "add small changes to people's own photos so that face recognition trained on them "
    "fails to recognise them (Fawkes). Questions and sources below.",
    (
        "Eykholt et al. (2018), 'Robust physical-world attacks on deep learning visual "
        "classification'",
        "Shan et al. (2020), 'Fawkes: protecting privacy against unauthorized deep learning "
        "models'",
    ),
    (
        "Should a working attack on a deployed system be published before its maker has "
        "fixed it? What would responsible disclosure be?",
        "FGSM needs the model's gradient. Who has that access for a model in a phone app, "
        "behind a web API, in a car?",
    ),
    "The stickers looked like graffiti to people, who still saw a stop sign; the same "
    "mathematics that attacks a car shields a citizen in the Fawkes paper. Publishing "
    "attacks is also how defences improve: adversarial training (Madry et al., 2018, "
    "'Towards deep learning models resistant to adversarial attacks') trains on the attacks "
    "themselves. Ask the group who is harmed if an attack stays secret, too.",
)

FACES = Case(
    "Case 2: face recognition and surveillance",
    "Taigman et al. (2014), at Facebook, trained a deep network to decide whether two face "
    "photos show the same person: the kind of model that suggests whom to tag in a picture. "
    "The same kind of model can match passers-by against a watch list from street cameras. "
    "Sharif et al. (2016) fooled such systems with printed eyeglass frames.",
    (
        "Taigman et al. (2014), 'DeepFace: closing the gap to human-level performance in "
        "face verification'",
        "Sharif et al. (2016), 'Accessorize to a crime: real and stealthy attacks on "
        "state-of-the-art face recognition'",
    ),
    (
        "A photo-tagging model is sold to a city for its camera network. What about its "
        "errors (lesson 8.1) and its training data (8.2) must the buyer know first?",
        "Is 'the tool is neutral' a defence for the people who built it? Where does their "
        "responsibility end?",
    ),
    "The eyeglass frames made the system miss a person or take them for someone else: this "
    "lesson's attack, worn on the face. Link back to 8.1: a false positive in photo tagging "
    "is a wrong name under a picture; in a watch-list match it can mean a stop by the "
    "police. The same error rate causes different harms in different uses.",
)

VOICES = Case(
    "Case 3: deepfakes and voice cloning",
    "Jia et al. (2018) built a text-to-speech system that imitates a speaker from a few "
    "seconds of reference audio. It can dub a film or give a voice back to someone who lost "
    "theirs; it can also fake a phone call. Chesney and Citron (2019) add the 'liar's "
    "dividend': once fakes are common, a real recording can be dismissed as fake.",
    (
        "Jia et al. (2018), 'Transfer learning from speaker verification to multispeaker "
        "text-to-speech synthesis'",
        "Chesney and Citron (2019), 'Deep fakes: a looming challenge for privacy, democracy, "
        "and national security'",
    ),
    (
        "Which safeguards could a voice-cloning service require (consent, watermarks, "
        "logs)? Which can an attacker get around?",
        "Hypothetical: your lab's dubbing model is used to fake a politician's speech "
        "before an election. What should you have done before releasing it?",
    ),
    "The second question is an invented scenario, not a reported event. Detecting fakes is "
    "an arms race: a detector is a classifier, and this lesson shows what can be done to "
    "classifiers.",
)

SPAM = Case(
    "Case 4: text generation and spam",
    "Radford et al. (2019) trained GPT-2 to predict the next word of web text; it writes "
    "fluent paragraphs on almost any prompt. Its authors first released only smaller "
    "versions, citing misuse such as automated spam and misleading news; Solaiman et al. "
    "(2019) describe that staged release.",
    (
        "Radford et al. (2019), 'Language models are unsupervised multitask learners'",
        "Solaiman et al. (2019), 'Release strategies and the social impacts of language models'",
    ),
    (
        "Full, staged or no release: who gains and who loses in each (for example, people "
        "who build detectors)?",
        "A spam filter is a classifier. How would a spammer use this lesson's idea when the "
        "input is words, so nothing can move by a small $\\varepsilon$?",
    ),
    "The same model helps with drafts, summaries and translation. Text is discrete: "
    "attacks on text classifiers swap words or characters instead of adding a small real "
    "number to each input, but the idea, following the loss's gradient towards a wrong "
    "answer, is the same.",
)

CASES = (ATTACK, FACES, VOICES, SPAM)
