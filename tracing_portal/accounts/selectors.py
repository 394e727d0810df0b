from .navigation import places_for


def home_summary(*, actor) -> dict:
    """What the actor's home page shows: their role and the places they work in next."""
    return {
        "role_label": actor.primary_role_label,
        "next_steps": [p for p in places_for(actor) if p["next"]],
    }
