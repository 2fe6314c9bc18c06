"""One router per resource: health, model, classify, analyze."""
