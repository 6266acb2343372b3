"""The app's work on the bundled models, one module per tab as in ui/: plain classes whose methods the
tabs' handlers call, testable without a server. It builds on the vae library; neither vae nor this
package imports the page (ui/)."""
