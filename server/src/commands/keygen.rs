//! `nectr-auth keygen`: print a fresh `SECRET_KEY`.

use nectr_crypto::SecretKey;

pub fn keygen() -> i32 {
    super::print(&SecretKey::generate().encode());
    0
}
