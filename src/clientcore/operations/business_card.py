"""A client's business card (O7): the client's vCard 3.0, made with ``vobject`` (installed
with ``clientcore[messaging]``)."""

from __future__ import annotations

from clientcore.entities.client import Client, ClientKind


def vcard(client: Client) -> str:
    """The client's name, company, phones, e-mail and postal addresses as vCard text."""
    import vobject

    card = vobject.vCard()
    card.add("fn").value = client.display_name or client.code
    if client.kind is ClientKind.COMPANY:
        card.add("n").value = vobject.vcard.Name()
        card.add("org").value = [client.company_name]
    else:
        card.add("n").value = vobject.vcard.Name(family=client.last_name, given=client.first_name)
    for phone in client.phones:
        line = card.add("tel")
        line.value = phone.number
        line.type_param = "PREF" if phone.primary else "CELL"
    for email in client.emails:
        line = card.add("email")
        line.value = email.address
        line.type_param = "INTERNET"
    for address in client.addresses:
        line = card.add("adr")
        line.value = vobject.vcard.Address(
            street=address.street,
            city=address.city,
            code=address.postal_code,
            country=address.country,
        )
    text: str = card.serialize()
    return text
