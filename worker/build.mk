# worker: rules to come
