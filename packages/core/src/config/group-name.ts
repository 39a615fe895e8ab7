/** Names of fleet groups: also used in routing and Redis keys. */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
