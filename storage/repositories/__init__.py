"""All queries of the application, one module per aggregate. Services and flows import the
module they need; routes never query. (The outbox's are in storage/outbox.py.)"""
