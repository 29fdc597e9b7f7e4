//! Key files and the authority folder: the only module of zhengzhao-core that touches the file system.
