"""Prompts for each assessment domain.

Trauma-informed by design: every prompt can be answered "prefer not to say", and a domain can be
revisited at later visits. Prompts are conversation starters in plain language, not a script.
"""

from __future__ import annotations

from tandem.assessment.models import Domain

PROMPTS: dict[str, list[tuple[str, str]]] = {
    Domain.WHAT_MATTERS: [
        ("matters_most", "What matters most to you right now?"),
        ("life_goals", "What would you like your life to look like a year from now?"),
    ],
    Domain.STRENGTHS: [
        ("strengths", "What are you good at, or proud of?"),
        ("energy", "What gives you energy or gets you through hard days?"),
    ],
    Domain.CARE_EXPERIENCES: [
        ("good_experiences", "When has health care worked well for you?"),
        ("hard_experiences", "Has anything in health care been hard or hurtful for you?"),
    ],
    Domain.HEALTH: [
        ("conditions", "What health conditions do you live with, in your words?"),
        ("medications", "Which medicines do you take, and how is that going?"),
    ],
    Domain.BEHAVIORAL_HEALTH: [
        ("mood", "How have your mood and stress been lately?"),
        ("support", "Who or what helps when things are hard?"),
    ],
    Domain.SUBSTANCE_USE: [
        ("use", "Do you use alcohol, tobacco or other drugs? How is that for you?"),
        ("wish", "Is there anything about it you would like to change?"),
    ],
    Domain.SOCIAL_NEEDS: [
        ("housing", "Do you have a steady, safe place to live?"),
        ("food", "In the last year, did you worry about running out of food?"),
        ("transport", "Does getting to appointments or the pharmacy cause problems?"),
        ("utilities", "Any trouble keeping the lights, heat or phone on?"),
        ("safety", "Do you feel safe where you live and with the people around you?"),
        ("finances", "How are you managing with money each month?"),
    ],
    Domain.CAREGIVERS: [
        ("people", "Who do you trust to help you?"),
        ("involve", "Who, if anyone, would you like us to involve, and how?"),
    ],
    Domain.CARE_PREFERENCES: [
        ("where_how", "Where and how do you like to meet (home, clinic, phone, somewhere else)?"),
        ("language", "Which language would you like us to use?"),
        ("other", "Is there anything else about how we work with you that matters?"),
    ],
}

PREFER_NOT_TO_SAY = "prefer not to say"
