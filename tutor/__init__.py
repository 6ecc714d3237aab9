"""An adaptive, step-by-step tutor for how a neural network learns."""
