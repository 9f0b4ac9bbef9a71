"""Named competency queries (*.rq), shipped as package data."""
