"""A small debate shared by the cog tests: two positions, each argued by several people."""

REUSE_VS_SAFETY = (
    "Reusable boosters make launches far cheaper than expendable rockets ever could.",
    "Booster reuse is exactly why launch prices fell so much in the last decade.",
    "Cheaper launches come from reusing boosters, there is no doubt about that.",
    "Reusable rockets cut the price of every launch, the numbers are clear.",
    "Safety matters more than cost, and capsules on top of rockets are the safest design.",
    "A capsule with a launch escape system is the safest way to fly crews.",
    "I still think capsule escape systems make crewed flight safer than any spaceplane.",
)

# A news post's thread where few people argued: one reader makes five different points in six comments,
# and one other reader agrees with one of them. Every point must come out (support 1 where one person
# made it), the shared one first.
FEW_PEOPLE = (
    ("orbitwatcher", "The part of this plan that worries me most is the refuelling. Starship has to be topped up "
     "in orbit by ten to fifteen tanker flights before it can leave for the Moon, and nobody has ever "
     "transferred cryogenic propellant between two ships at that scale."),
    ("orbitwatcher", "Also, a crewed landing in 2027 is not going to happen. Every major milestone in this "
     "programme has slipped by at least a year, and the lander has not even flown an uncrewed demo yet."),
    ("orbitwatcher", "And at over four billion dollars per SLS launch, the agency cannot afford to fly this rocket "
     "once a year for a decade. The money would be better spent on the landers themselves."),
    ("kestrel", "Agreed on the refuelling. Moving thousands of tonnes of cryogenic propellant between vehicles "
     "in orbit is the single biggest unproven step in the whole architecture."),
    ("orbitwatcher", "Gateway is the other thing I don't get. A station in a halo orbit around the Moon adds "
     "another vehicle, another docking and another budget line, and it does nothing to make the landing "
     "itself easier."),
    ("orbitwatcher", "Oh, and the spacesuits. The new lunar suits are still in development and a landing without "
     "working suits is pointless, so they are a schedule risk that gets far less attention than the rockets."),
    ("orbitwatcher", "lol"),
)
