"""A stand-in for the SMS operator's HTTP API (the operator side of notifications/gateways.py).

It runs inside the portal's site under /sms-sandbox/ when SMS_HTTP_URL is unset, keeps its
own table, and imports nothing from the portal's apps: it is the other end of the wire.
"""
