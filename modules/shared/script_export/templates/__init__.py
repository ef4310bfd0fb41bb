"""Code templates of the exported script: valid Python, checked by ruff; the part of each file
below its `# --- SCRIPT ---` line is copied into the script (see ../sources.py)."""
