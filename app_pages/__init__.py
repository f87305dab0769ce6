"""One file per page: widgets -> engine (through ui.frame.Section) -> viz -> st.*"""
