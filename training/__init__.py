"""The reproducible recipe that builds the shipped default model and checks the corpus."""
