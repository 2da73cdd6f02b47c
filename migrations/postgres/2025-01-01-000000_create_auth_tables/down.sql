DROP TABLE sessions;
DROP TABLE oauth_states;
DROP TABLE users;
