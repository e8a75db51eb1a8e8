"""The demo's invented words: names of people and teams, and the free text of its records.

Invented on purpose, so that nothing in the demo resembles a real person or a real case.
"""

from __future__ import annotations

TEAM_NAMES = (
    "Harbour Team",
    "Meadow Team",
    "Orchard Team",
    "Beacon Team",
    "Willow Team",
    "Lantern Team",
    "Heather Team",
    "Millstone Team",
)
FIRST_NAMES = (
    "Pip", "Wren", "Juniper", "Bramble", "Sorrel", "Tansy", "Fennel", "Clover", "Thistle", "Nettle",
    "Marlow", "Pebble", "Acorn", "Tumble", "Moss", "Fable", "Sprocket", "Quince", "Nutmeg", "Bryony",
    "Conker", "Dapple", "Ember", "Fidget", "Gorse", "Hopper", "Inkle", "Jolly", "Kestrel", "Lupin",
    "Midge", "Nimble", "Oriel", "Parsley", "Quill", "Rumble", "Saffron", "Teasel", "Umber", "Vetch",
    "Whimsy", "Yarrow", "Zephyr", "Bobbin", "Cobweb", "Dimple", "Flint", "Glimmer", "Huckle", "Jasper",
)  # fmt: skip
SURNAMES = (
    "Quillfeather", "Marrowby", "Tinderbox", "Thimblewick", "Bramblecott", "Puddifoot", "Crumblethorn",
    "Wobbleton", "Fernwhistle", "Mossbottom", "Hazelnook", "Buttercombe", "Kettleby", "Pennywhistle",
    "Lanternby", "Muddlecombe", "Snickersby", "Gribblethwaite", "Fiddlesprout", "Cobbleknock",
    "Drizzlewick", "Parsnipley", "Hobbleton", "Nettlebed", "Crumpetshaw", "Applewhistle", "Tumbletree",
    "Puddingstone", "Wafflethorpe", "Biscuitby", "Inkwellow", "Jumbleworth", "Kipperdale", "Lollington",
    "Mufflewick", "Noddingham", "Oddsock", "Pumpernick", "Quibbleton", "Rattlebury", "Sprinklewood",
    "Trundleby", "Umbrellow", "Wigglesworth", "Yawnington", "Zigzaggle",
)  # fmt: skip
STAFF_SURNAMES = (
    "Teacosy", "Saucepanner", "Doorknobble", "Lampwick", "Thimbleford", "Spindlecroft", "Bobbinshaw",
    "Candlewax", "Dustpanner", "Featherduster", "Gravyboat", "Hatstandish", "Ironmould", "Jamjarrow",
    "Kettlewhistle", "Ladlethorpe", "Mangleby", "Napkinson", "Oilcloth", "Pegbasket", "Quiltwright",
    "Rollingpin", "Sieveley", "Toastrack", "Umbrellastand", "Velvetine", "Washtubb", "Yarnspinner",
    "Zestgrater", "Buttonhook", "Cruetshaw", "Doilyworth", "Eggcupp", "Fireguard", "Gobletson",
    "Hearthrug", "Inkpotter", "Jugsworth", "Knitbone", "Lidbury", "Mopshaw", "Nutcracker",
    "Ovenglove", "Pinafore", "Rugbeater", "Scuttleby", "Tapestry", "Wickerman", "Coalscuttle",
    "Breadbin", "Colander", "Dishrack", "Egglestone", "Flannelly",
)  # fmt: skip

# (text, owner): plausible review recommendations (DOMAIN §3: every recommendation has an owner)
RECOMMENDATIONS = (
    ("Social worker to complete the child's life-story work", "Social worker"),
    ("Arrange the Personal Education Plan meeting", "Virtual School"),
    ("Health assessment to be completed", "Social worker"),
    ("Dental check to be booked and attended", "Carer"),
    ("Review contact arrangements with the birth family", "Social worker"),
    ("Refer to CAMHS for an assessment of emotional wellbeing", "Social worker"),
    ("Complete the pathway plan with the young person", "Social worker"),
    ("Update the care plan to reflect the permanence decision", "Team manager"),
    ("Carer to support attendance at an after-school club", "Carer"),
    ("Virtual School to confirm additional tutoring", "Virtual School"),
    ("Complete the Strengths and Difficulties Questionnaire", "Carer"),
    ("Convene a permanence planning meeting", "Team manager"),
    ("Present the match to the fostering panel", "Team manager"),
    ("Arrange a sibling contact session", "Social worker"),
    ("Refer to the advocacy service", "IRO"),
    ("Hold a placement stability meeting", "Team manager"),
    ("Obtain the child's passport and birth certificate", "Social worker"),
    ("Explore a special guardianship assessment with the family member", "Social worker"),
    ("Offer the child an independent visitor", "IRO"),
    ("Share the review recommendations with the child in an age-appropriate way", "IRO"),
    ("Carer to keep a diary of contact and share it with the social worker", "Carer"),
    ("School to complete the SEN support plan review", "Virtual School"),
)
PERMANENCE_PLANS = (
    "Long-term fostering",
    "Return home",
    "Adoption",
    "Special guardianship",
    "Staying put / independence",
)
GOOD_PRACTICE = (
    "Social worker's direct work with the child is creative and clearly recorded.",
    "Carer has built an excellent relationship with the school; attendance is now 98%.",
    "Life-story book completed with the child and shared at the review.",
    "Team manager's oversight notes are timely and show clear decisions.",
    "Sibling contact has been arranged consistently and the children enjoy it.",
    "Pathway plan written with the young person in their own words.",
    "Health and education actions from the last review all completed early.",
    "Child's views gathered through an app before the review and shared with everyone.",
)
CONCERNS = (
    "Permanence planning meeting not held despite two review recommendations.",
    "Health assessment outstanding for more than three months.",
    "Contact arrangements changed without consulting the child or the IRO.",
    "Statutory visits not recorded for eight weeks.",
    "Care plan not updated after the last review.",
    "Therapeutic support agreed at review has not started.",
)
EVENT_NOTES = "Reported by the social worker; IRO informed."
