"""The use cases of issuing a form, without Prefect: what a step issues (`forms`), how a
document is prepared, numbered, sealed, stored and recorded (`issue`), and the services
they run on (`runtime`).

Both the API (an approver's personal signature, a form prepared again in the request) and
the flows (the machine work after a commit) call them; flows/ adds only the Prefect flow
around them, so api/ never needs to import flows/.
"""
