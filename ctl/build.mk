# ctl: rules to come
