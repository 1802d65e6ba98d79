"""Word lists and the patterns built from them: titles, name shapes, speech verbs, roles, organisations."""

from __future__ import annotations

import re

# Capital letters that open a name, for the scripts news in our languages uses: ASCII, Latin-1's
# capitals, Latin Extended-A/B and Extended Additional whole (capitals and small letters alternate
# there; a small one rarely opens a word in news), Greek and Cyrillic capitals. Spelled as a few
# ranges on purpose: the exact class of every Unicode capital (746 ranges) made compiling this
# module's patterns take 0.2-0.4 s of every cold start; the ranges give the same speakers on PolNeAR.
_UPPER = "A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u024f\u0386-\u03ab\u0400-\u042f\u1e00-\u1eff"
_U = f"[{_UPPER}]"


_TITLE_ABBREVIATIONS = (
    "Mr|Mrs|Ms|Mx|Dr|Sen|Rep|Gov|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|Maj|Prof|Pres|Rev|Hon|Sr|Jr|St"
)


_MALE_TITLES = frozenset({"mr", "sir", "lord", "king", "prince", "father", "brother", "congressman"})


_FEMALE_TITLES = frozenset(
    {"mrs", "ms", "miss", "dame", "lady", "queen", "princess", "sister", "congresswoman"}
)


# One capitalised word (O'Neill, Jean-Luc, SpaceX), an initial, or an abbreviated title.
_NAME_UNIT = (
    rf"(?:(?:{_TITLE_ABBREVIATIONS})\.|{_U}\.(?:{_U}\.)*|{_U}[^\W_]*(?:['’\-][^\W_]+)*)"
)


_CONNECTOR = r"(?:de|da|del|della|der|den|van|von|bin|ibn|al|el|la|le|di|du|dos|das)"


_NAME_RUN = rf"{_NAME_UNIT}(?:[ \u00a0](?:{_CONNECTOR}[ \u00a0])?{_NAME_UNIT}){{0,7}}"  # a name has few words


_NAME_RUN_RE = re.compile(rf"(?<![\w'’\-]){_NAME_RUN}")


_NAME_RUN_AT_END_RE = re.compile(rf"(?<![\w'’\-.])({_NAME_RUN})$")


_NAME_RUN_AT_START_RE = re.compile(rf"^({_NAME_RUN})")


# Capitalised words that start sentences or clauses and are not names.
_NOT_NAME_WORDS = frozenset(
    """The A An But And Or Nor So Yet In On At For From By With Without After Before When While If
    As Since Although Though Because Meanwhile However Still Also Then Now Today Yesterday
    Tomorrow Tonight Last Next This That These Those Its It His Her Their Our My Your He She They
    We I You There Here What Who Whom Whose Why How Where Which Asked Speaking According Said
    Says Earlier Later Under Over During Despite Among Between Of To Not No Yes Even Only Just
    Both Each Every All Some Many Most Several Such One Two Three First Second Former Dear Oh Well
    Like Unlike Instead Indeed Thus Therefore Perhaps Maybe Once Again Asked Told Added Although
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December Read Watch Follow Photo Image Credit
    Update Updated Editor Note Related See Click Sign Subscribe Share Source Sources Officials
    Other Another Any Few Much Mission Launch Our Thanks Thank Please Let Get Can Could Will Would
    Should Do Does Did Is Are Was Were Has Have Had Might Must Shall Don't Didn't Isn't It's
    That's There's Here's Everybody Everyone Nobody Someone Somebody Anyone Nothing Something
    Everything Hello Hi People Men Women Hours Days Weeks Months Years Minutes""".split()
)


_ROLE_TITLE_WORDS = frozenset(
    w.lower()
    for w in """President Vice Senator Representative Governor Administrator Deputy Associate
    Director Chief Executive Officer CEO CFO COO CTO Secretary Minister Prime Chancellor Chairman
    Chairwoman Chair Commander Astronaut Cosmonaut Professor General Colonel Captain Admiral
    Lieutenant Sergeant Major Judge Justice Speaker Mayor Spokesman Spokeswoman Spokesperson
    Manager Founder Co-founder Head Leader King Queen Prince Princess Pope Sheriff Attorney
    Ambassador Sister Brother Father Saint Lord Lady Sir Dame Candidate Nominee Engineer Scientist
    Director-General Minority Majority Whip Chairperson Congressman Congresswoman Councilman
    Councilwoman Detective Officer Agent Trooper Coach Anchor Host Correspondent Editor Author
    Dr Mr Mrs Ms Mx Miss Sen Rep Gov Gen Lt Col Sgt Capt Cmdr Adm Maj Prof Pres Rev Hon
    Former Acting Interim Senior Junior Lead Principal Flight Mission Project Program Station
    Democratic Republican Democrat GOP Independent U.S. US UK EU""".split()
)


_ORG_WORDS = frozenset(
    w.lower()
    for w in """Agency Administration Space Center Centre University Institute Laboratory
    Laboratories Lab PAC Pac Station Force Corporation Corp Corp. Inc Inc. Ltd Ltd. LLC Company Co. Committee Council
    House Senate Congress Party News Post Times Journal Press Department Office Program Programme
    Telescope Observatory Foundation Association Society Union Group Network Airlines Systems
    Technologies Aerospace Industries Services Bank Court Ministry Government Republic Kingdom
    States Nations Federation Street Avenue Road City County Island Islands Ocean Sea River
    Mountain Lake Valley Bay Beach Park Museum Hospital School College Academy Club Team Magazine
    Radio TV Television Channel Review Daily Weekly Tribune Herald Guardian Gazette Monitor
    Commission Bureau Service Authority Organization Organisation Army Navy Guard Police
    Campaign Movement Church Cathedral Temple Mosque Alliance Coalition Fund Trust Institution Rocket Spacecraft Capsule
    Satellite Base Airport Port Range Coast North South East West Northern Southern Eastern
    Western Central National International Global American European Russian Chinese Japanese
    Indian Twitter Facebook Instagram YouTube Google Reuters Associated Politico Fox CNN BBC""".split()
)


_SPEECH_VERBS = (
    "said|says|say|told|tells|tell|added|adds|asked|asks|explained|explains|noted|notes|wrote|"
    "writes|stated|states|declared|declares|announced|announces|tweeted|tweets|posted|insisted|"
    "insists|argued|argues|replied|replies|responded|responds|continued|continues|recalled|"
    "recalls|remarked|remarks|warned|warns|claimed|claims|joked|jokes|quipped|quips|acknowledged|"
    "acknowledges|admitted|admits|conceded|concedes|cautioned|cautions|emphasized|emphasised|"
    "emphasizes|emphasises|stressed|stresses|suggested|suggests|observed|observes|commented|"
    "comments|predicted|predicts|promised|promises|vowed|vows|concluded|concludes|boasted|"
    "boasts|complained|complains|countered|counters|shouted|shouts|yelled|exclaimed|whispered|"
    "lamented|laments|mused|muses|agreed|agrees|confirmed|confirms|reported|reports|urged|urges|"
    "wondered|wonders|testified|testifies|texted|emailed|assured|assures|recounted|recounts|"
    "conceded|reiterated|reiterates|pointed out|points out|went on|goes on|chimed in|put it|"
    "summed up|explained|marveled|marvelled|pledged|pledges|boomed|snapped|retorted|"
    "proclaimed|proclaims|maintained|maintains|contended|contends|asserted|asserts|"
    "added|describes|described|called|calls|dubbed|labeled|labelled|branded|"
    "referred to|refers to|mocked|mocks|praised|praises|criticized|criticised|blasted|slammed|"
    "accused|accuses|hailed|hails|thanked|thanks|speaks|spoke|read|repeated|repeats|opined|"
    "decried|decries|bemoaned|bemoans|worried|worries|blamed|blames|dismissed|dismisses|derided|"
    "derides|denounced|denounces|touted|touts|ridiculed|ridicules|lauded|lauds|lambasted|"
    "condemned|condemns|characterized|characterised|barked|scoffed|scoffs|sniped|groused|fumed|"
    "cracked|gushed|raved|deadpanned|fired back|shot back|hit back|wrote back|interjected|"
    # a few reporting verbs of other languages, for quotes in „…“, «…» and »…«
    "sagte|sagt|erklärte|erklärt|betonte|betont|a dit|a déclaré|a expliqué|a ajouté|a affirmé|"
    "a souligné|déclare|explique|ajoute|dijo|afirmó|explicó|declaró|añadió|señaló|disse|"
    "ha detto|ha dichiarato|сказал|сказала|заявил|заявила|отметил|отметила"
)


# Verbs that introduce a *following* quote only when they are the reporting verb of the
# sentence (X called it "..."), not after a quote ("..." called X would be nonsense).
_PRE_ONLY_VERBS = frozenset(
    "describes described called calls dubbed labeled labelled branded referred to refers to "
    "mocked mocks praised praises criticized criticised blasted slammed accused accuses hailed "
    "hails thanked thanks read decried decries bemoaned bemoans worried worries blamed blames "
    "dismissed dismisses derided derides denounced denounces touted touts ridiculed ridicules "
    "lauded lauds lambasted condemned condemns characterized characterised".split()
)


_LISTENER_VERBS = frozenset("told tells tell asked asks urged urges assured assures".split())


_PHRASAL_VERBS = frozenset({"goes on", "went on", "put it"})


_SPEECH_VERB_RE = re.compile(rf"(?<![\w'’\-])(?:{_SPEECH_VERBS})(?![\w'’\-])")


_AUXILIARY = (
    r"(?:(?:also|later|then|previously|once|again|has|had|have|would|will|did|does|"
    r"[^\W\d_]+ly),?\s+){0,2}"
)


_PRONOUNS = {"he": "m", "she": "f", "He": "m", "She": "f"}


_OTHER_PRONOUNS = frozenset({"I", "we", "We", "they", "They", "it", "It", "you", "You", "who"})


_DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their", "our", "The", "A", "An"})


_INDEFINITE = frozenset({"a", "an", "A", "An", "one", "One", "another", "Another", "some", "Some"})


# Role nouns that make a noun phrase a title ("the Roscosmos chief"), mapped to what they
# count as when a title is matched against what the article said about a person.
_ROLE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "chief": ("head",),
    "head": ("head",),
    "heads": ("head",),
    "leads": ("head",),
    "led": ("head",),
    "runs": ("head",),
    "boss": ("head",),
    "leader": ("head",),
    "director": ("head", "director"),
    "director-general": ("head", "director"),
    "ceo": ("head", "ceo"),
    "founder": ("founder",),
    "co-founder": ("founder",),
    "administrator": ("head", "administrator"),
    "chairman": ("head", "chair"),
    "chairwoman": ("head", "chair"),
    "chair": ("head", "chair"),
    "president": ("president",),
    "spokesman": ("spokesperson",),
    "spokeswoman": ("spokesperson",),
    "spokesperson": ("spokesperson",),
}


_ROLE_NOUNS = frozenset(
    """chief head boss leader director director-general ceo founder co-founder administrator
    chairman chairwoman chair president spokesman spokeswoman spokesperson commander astronaut
    cosmonaut manager scientist engineer minister secretary official officer executive senator
    governor mayor professor researcher analyst expert lawmaker candidate nominee businessman
    businesswoman billionaire entrepreneur speaker general deputy physicist astronomer pilot
    investigator representative congressman congresswoman ambassador envoy adviser advisor aide
    strategist pollster attorney lawyer prosecutor judge secretary-general premier chancellor
    host anchor correspondent author economist historian veteran colonel captain admiral""".split()
)


# Unnamed speakers that are not people: attributed, but to no name.
_SPEAKING_NOUNS = frozenset(
    """agency company firm statement report release ministry department administration campaign
    committee office group organization organisation team source sources officials people
    union government spokespeople newspaper paper magazine network channel station website
    study survey poll letter memo email tweet post ad advertisement lawsuit complaint filing
    document documents court panel board council commission police army military navy force
    white house kremlin embassy consulate mission center centre lab laboratory university
    institute observatory startup operator contractor manufacturer customer partner critics
    supporters residents voters witnesses experts analysts scientists engineers astronauts""".split()
)


_GENERIC_ORG_NOUNS = frozenset(
    "agency company firm organisation organization administration corporation startup "
    "space agency's company's firm's".split()
)


_DESCRIPTOR_STOPWORDS = frozenset(
    "the a an of and for at in on to its his her their who which is was has had current new "
    "then now also 's ’s".split()
)


_ABBREVIATION_RE = re.compile(rf"(?<![\w'’\-])(?:(?:{_TITLE_ABBREVIATIONS})\.|(?:{_U}\.)+)")


_ABBREVIATION_BEFORE_RE = re.compile(rf"(?<![\w'’\-])(?:(?:{_TITLE_ABBREVIATIONS})|{_U})\.$")


_PARENTHETICAL_RE = re.compile(r"\([^()\n]{0,40}\)")


_CLAUSE_END_RE = re.compile(r"[.!?;:\"“”«»\n]")


_NAME_THEN_DESCRIPTION_RE = re.compile(
    rf"(?<![\w'’\-])({_NAME_RUN}),[ \u00a0]+((?:the|a|an|who|its|his|her|{_U}[\w'’\-]*)"
    r"[^,.;:!?\"“”«»\n]{1,90}?)[ \u00a0]*(?=[,.;:!?\n]|$)"
)


_DESCRIPTION_THEN_NAME_RE = re.compile(
    rf"(?<![\w'’\-])(?:the|The)[ \u00a0]+([^,.;:!?\"“”«»\n]{{2,80}}?),[ \u00a0]+({_NAME_RUN})(?=[,.;:!?\n]|$)"
)


_ROLE_BEFORE_NAME_RE = re.compile(
    rf"(?<![\w'’\-])((?:{_NAME_UNIT}[ \u00a0]){{1,3}}(?:[a-z][\w\-]*[ \u00a0]){{0,1}}"
    rf"(?:{'|'.join(sorted(_ROLE_NOUNS, key=len, reverse=True))}))[ \u00a0]+({_NAME_RUN})"
)


# A sentence ends at . ! ? before a capital (or digit): "Cruz (Tex.) has said" goes on.
_SENTENCE_BOUNDARY_RE = re.compile(rf"[.!?…](?:[\"”’»)\]]*)\s+(?=[\"“„«‘'(\[]?(?:{_U}|\d))")


_WINDOW = 240


_PRONOUN_REACH = 1500


_ATTRIBUTION_END_RE = re.compile(r"[ \u00a0]*(?:on \w+day[ \u00a0]*)?[.,;]")


_CLAUSE_WORDS = frozenset(
    "that when while after before because if as although though since whether who which where "
    "and or but so than".split()
)


_SENTENCE_OPENERS = frozenset("But And So Yet Still Then Now Meanwhile However, Also, Later, Instead, ".split())


_LOWER_WORD_RE = re.compile(r"(?<![\w'’\-])[a-z][a-z\-]*(?![\w'’\-])")


_GROUP_SUFFIXES = ("ans", "ians", "inos", "anos", "ese", "ists", "ites", "crats", "cans", "ly")


_INVERTED_VERB_BEFORE_RE = re.compile(r"(?<![\w'’\-])(?:said|says|added|adds|asked|wrote|writes|noted|explained)[ \u00a0]+$")


_APPOSITION_RE = re.compile(r",[^,.;:!?\"“”\n]{1,90},")


_NEXT_WORD_RE = re.compile(r"[ \u00a0]+([a-z][\w'’\-]*)")


_COORDINATION_BEFORE_RE = re.compile(r"(?:\band|\bor|&)[ \u00a0]+$")


_CLAUSE_SPLIT_RE = re.compile(r"[.!?;\"“”«»\n]")


_MALE_PRONOUN_RE = re.compile(r"(?<![\w'’\-])(?:he|his|him|himself)(?![\w'’\-])")


_FEMALE_PRONOUN_RE = re.compile(r"(?<![\w'’\-])(?:she|her|hers|herself)(?![\w'’\-])")


_POSSESSIVE_RE = re.compile(r"['’]s?(?!\w)")


_DETERMINER_BEFORE_RE = re.compile(r"(?<![\w'’\-])(?:the|a|an|The|A|An|his|her|their|its|our)[ \u00a0]+$")


_COMMON_VERBS = frozenset(
    """is was has had will would can could did does may might must should shall said says
    told tells added asked wrote writes wants wanted went goes got gets made makes took takes
    called calls came comes gave gives knows knew thinks thought believes believed argued argues
    spoke speaks announced announces explained noted urged hopes hoped plans planned insisted
    also then now later still never already again just repeatedly recently once met went took
    gave made came saw got won lost led ran wrote began left held sent brought felt kept put set
    let found became sat stood flew built bought chose drew drove fell fought grew hit knew meant
    paid quit rose shot slept sold spent struck swore taught threw understood wore hid""".split()
)


_PLURAL_VERBS = frozenset("are were have do don't aren't weren't".split())


_NOT_VERBS = frozenset(
    """the a an of in on at to for from by with as and or but nor that this these those is's
    who which whose where when while after before during since about into onto over under
    through across against between among than via per de la i you we they he she it me him her
    them us my your our their his its aboard and or""".split()
)


_SUBJECT_BEFORE_VERB_RE = re.compile(
    rf"(?:(?P<pronoun>(?<![\w'’\-])(?:he|she|He|She|I|we|We|they|They|it|It))"
    rf"|(?P<title>(?<![\w'’\-])(?:the|The|a|A|an|An)[ \u00a0]+(?:[\w'’.\-]+[ \u00a0]+){{0,4}}?[\w'’\-]+)"
    rf"|(?P<name>(?<![\w'’\-]){_NAME_RUN}))"
    r"(?P<parenthetical>[ \u00a0]\([^()\n]{1,30}\))?"  # Gov. John Kasich (R-Ohio) said
    rf"(?P<apposition>,[ \u00a0]+[^,;:!?\"“”«»\n]{{1,100}},)?(?P<comma>,)?[ \u00a0]+{_AUXILIARY}$"
)


_PREPOSITION_BEFORE_RE = re.compile(
    r"(?<![\w'’\-])(?:in|at|of|from|to|for|with|by|near|outside|inside|on|about)[ \u00a0]+$"
)


# The name that opens an apposition running up to the end of the window: "Seaman, who ... , ".
_APPOSITION_OPENER_RE = re.compile(
    rf"(?:^|(?<=[.;:!?] )|(?<=^[ \u00a0]))({_NAME_RUN}),[ \u00a0]+[^;:!?\"“”«»\n]{{1,160}}?,[ \u00a0]+$"
)


_AFTER_QUOTE_LEAD_RE = re.compile(r"^[\s\u00a0,.!?;:…—–\-)\]]*")


_ACCORDING_TO_RE = re.compile(r"(?<![\w'’\-])(?:[Aa]ccording to|[Ss]elon|[Ss]egún|[Ll]aut)[ \u00a0]+")


_NAME_AFTER_VERB_RE = re.compile(
    rf"^[ \u00a0]+(?P<np>(?:(?:the|a|an)[ \u00a0]+(?:[\w'’.\-]+[ \u00a0]+){{0,4}}?[\w'’\-]+)|{_NAME_RUN})"
    r"(?P<apposition>,[ \u00a0]+[^,.;:!?\"“”«»\n]{1,100})?"
)


# "said the NASA flight director, ..." — a title up to the punctuation after it.
_TITLE_AFTER_VERB_RE = re.compile(
    r"^[ \u00a0]+(?P<np>(?:the|a|an)(?:[ \u00a0]+[\w'’.\-]+){1,5})"
    r"(?P<apposition>,[ \u00a0]+[^,.;:!?\"“”«»\n]{1,100})?(?=[,.;:!?\n]|$)"
)


_TIME_OR_PLACE_WORDS = frozenset(
    "on in at during after before last this yesterday today tonight earlier later when while".split()
)


_ROLE_PREMODIFIER_RE = re.compile(rf"(?:{_NAME_UNIT}[ \u00a0]){{0,3}}(?:[a-z][\w\-]*[ \u00a0]){{1,3}}")


_AND_BEFORE_VERB_RE = re.compile(r"(?<![\w'’\-])and[ \u00a0]+(?:also[ \u00a0]+)?$")


_PARTICIPLE_RE = re.compile(
    r"(?<![\w'’\-])(?:saying|telling|calling|noting|writing|adding|arguing|asking|explaining|insisting|"
    r"describing|labeling|labelling|tweeting|declaring|warning|claiming|stating|quipping|joking|"
    r"vowing|promising|urging|dubbing|branding|referring to|suggesting|predicting|recalling|"
    r"posting|pointing out|acknowledging|admitting|boasting|complaining|responding|replying|"
    r"attacking|hammering|blasting|slamming|praising|criticizing|criticising|mocking|accusing|"
    r"lamenting|decrying|dismissing|blaming|touting|predicting|adding that|announcing)(?![\w'’\-])"
)


_QUOTE_MARK_RE = re.compile(r"[\"“”„«»]")


_PROGRESSIVE_AUX_RE = re.compile(r"[ \u00a0](?:is|was|are|were|has been|had been|have been)[ \u00a0]+$")


_ADVERBIAL_LEAD_RE = re.compile(r"(?:,|\bby|\bafter|\bbefore|\bwhile|\bwhen|\bin)[ \u00a0]+$")


_SENTENCE_SUBJECT_RE = re.compile(
    rf"[ \u00a0]*(?:(?:But|And|So|Yet|Then|Still|Meanwhile|However|Later),?[ \u00a0]+)?"
    rf"(?:[^,.;:!?\"“”«»\n]{{1,40}},[ \u00a0]+)?"  # "Hours later, Trump ..."
    rf"(?:(?P<pronoun>He|She|he|she)|(?P<name>{_NAME_RUN}))(?:,[^,.;:!?\"“”\n]{{1,90}},)?[ \u00a0]+{_AUXILIARY}[a-z]"
)


_END_ATTRIBUTION_RE = re.compile(
    rf",[ \u00a0]+(?:(?P<verb>{_SPEECH_VERBS})[ \u00a0]+(?P<inverted>[^,.;:!?\"“”«»\n]{{1,60}}?)"
    rf"|(?P<subject>[^,.;:!?\"“”«»\n]{{1,60}}?)[ \u00a0]+(?P<verb2>{_SPEECH_VERBS}))"
    r"(?:[ \u00a0]+(?:on|last|this|in|at|after|before|during|following|while|when|as)[ \u00a0]+[\w ’'\-]{1,40})?"
    r"(?P<apposition>,[^.;:!?\"“”«»\n]{1,100})?[.!?]?$"
)


_SENTENCE_END_RE = re.compile(r"[.!?](?=[\s\"”’»)]|$)")




# Places that open a sentence or end a clause the way a speaker would ("In New Hampshire, ...",
# "..., said in California"): US states and the countries most in the news. Never speakers.
_PLACES = frozenset(
    """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii
    Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan
    Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania
    Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming America Britain England
    Scotland Wales Ireland France Germany Italy Spain Portugal Russia Ukraine China Japan India
    Pakistan Iran Iraq Syria Israel Egypt Turkey Mexico Canada Brazil Argentina Australia Africa
    Europe Asia Cuba Libya Afghanistan Korea Vietnam Greece Poland Sweden Norway Belgium Netherlands
    Switzerland Austria Saudi Kazakhstan Beijing Moscow London Paris Berlin Tokyo Chicago Boston
    Houston Denver Detroit Atlanta Miami Seattle""".split()
) | frozenset(
    ["New Hampshire", "New Jersey", "New Mexico", "New York", "North Carolina", "North Dakota",
     "Rhode Island", "South Carolina", "South Dakota", "West Virginia", "United States",
     "United Kingdom", "North Korea", "South Korea", "Saudi Arabia", "South Africa", "Los Angeles",
     "San Francisco", "New Orleans", "Las Vegas", "Salt Lake City", "Washington D.C."]
)

_DETERMINER_WORDS = frozenset("the a an this that these those its their our his her your my".split())
# A capitalised word and what comes right before it when that is a word or sentence-internal
# punctuation (a sentence start, after ". ", is not matched).
_INNER_CAPITALISED_RE = re.compile(
    r"(?:(?<![\w'’\-])([\w'’\-]+)|[,;:)”’\"'“(‘])[ \u00a0]*([A-Z][\w'’\-]*)(?![\w'’\-])"
)


def _ends_with_attribution(after: str, verb: re.Match[str]) -> bool:
    """'... had imperiled our troops, Biden said.': the name is who says the sentence."""
    return bool(_SPEECH_VERB_RE.fullmatch(verb.group(1)) and _ATTRIBUTION_END_RE.match(after, verb.end()))


def _looks_like_verb(word: str) -> bool:
    """Whether the word after a name can be its verb ("Nelson said", not "Nelson on")."""
    if word in _PLURAL_VERBS or word in _NOT_VERBS:
        return False
    if word in _COMMON_VERBS or word.endswith("ly"):
        return True
    return word.endswith(("ed", "es", "s")) and not word.endswith(("ss", "us", "is"))
