"""Pages of the promise engine: the desk (desk.py), orders (orders.py), promises at risk
(risk.py). Reads come from queries, writes go through actions."""
