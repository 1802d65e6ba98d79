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
