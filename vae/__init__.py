"""A compact variational autoencoder for MNIST-style images, and the tools around it.

Import the modules themselves (vae.model, vae.demo, ...): the package imports nothing on its own,
so the app can use its torch-free modules (vae.sketch, vae.views) before torch has loaded.
"""
