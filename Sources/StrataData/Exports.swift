/// `AtomicFile`, the one writer of whole files, comes with `import StrataData`.
@_exported import StrataFiles
