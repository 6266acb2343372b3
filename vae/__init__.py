"""A compact variational autoencoder for MNIST-style images, and the commands around it (train,
evaluate, fit_sampler, export, card). It stands alone: it imports nothing from the app.

Import the modules themselves (vae.model, vae.train, ...): the package imports nothing on its own,
so the app can read configs (vae.config, vae.weights) before torch has loaded."""
