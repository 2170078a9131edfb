# kni_bridge: rules to come
