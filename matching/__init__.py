"""The label-matching engine: which labels, columns and codebook entries mean the same thing.

Normalisation and clinical abbreviations, fuzzy scores (rapidfuzz), sentence embeddings for the
doubtful pairs (in a worker process), clustering, and codebook matching. Registered with logic
like the analyses ("harmonize", "codebook"); it never imports shiny or modules/.
"""
