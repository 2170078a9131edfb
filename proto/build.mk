# proto: rules to come
