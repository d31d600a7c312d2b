"""The reading of the law (rules), tailored lists, the flow, pricing, siblings and the checker."""
