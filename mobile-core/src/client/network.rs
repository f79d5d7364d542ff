//! What the network allows: metadata and thumbnails go on any network, full photos only on an
//! unmetered one unless the user says otherwise (grid workers pay for their data).

/// The network the phone is on now, as the app's OS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Network {
    /// No connection.
    Offline,
    /// Mobile data or a metered hotspot.
    Metered,
    /// Wi-Fi or another unmetered link.
    Unmetered,
}

/// The user's choice for full-size photos.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NetworkPolicy {
    /// Send full-size photos on mobile data too.
    pub full_photos_on_metered: bool,
}

impl NetworkPolicy {
    /// Whether full-size photos may be sent on `network`.
    pub fn allows_full_photos(&self, network: Network) -> bool {
        match network {
            Network::Offline => false,
            Network::Metered => self.full_photos_on_metered,
            Network::Unmetered => true,
        }
    }
}
